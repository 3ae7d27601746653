package dev.dea.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.config.CacheConfig;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameColumn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Java writes frames, /usr/bin/python3 loads them with sandbox-image/runner/dea_frames.py,
 * and every dtype and value is checked. Needs pandas and numpy for /usr/bin/python3
 * (Debian: apt-get install python3-pandas); fails, never skips, without them.
 */
class FramePandasRoundTripIT {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path RUNNER_DIR = Path.of("..", "sandbox-image", "runner").toAbsolutePath().normalize();

    /** Prints, per frame, the column names, dtypes and "type:str(value)" of every cell, as JSON. */
    private static final String SCRIPT = """
            import json, sys
            from dea_frames import load_frame

            def describe(v):
                return type(v).__name__ + ":" + str(v)

            out = []
            for path in sys.argv[1:]:
                df = load_frame(path)
                columns = []
                for i, name in enumerate(df.columns):
                    s = df.iloc[:, i]
                    columns.append({"name": name, "dtype": str(s.dtype),
                                    "values": [describe(s.iloc[j]) for j in range(len(s))]})
                out.append({"rows": len(df), "columns": columns})
            print(json.dumps(out))
            """;

    @TempDir
    Path dir;
    FrameCache cache;
    final ObjectMapper mapper = new ObjectMapper();

    @BeforeEach
    void open() {
        cache = new FrameCache(new CacheConfig(dir, Duration.ofHours(1), 1L << 30, 1L << 28, 100_000));
    }

    @AfterEach
    void close() {
        cache.close();
    }

    @Test
    void pandasLoadsEveryKindWithTheDocumentedDtypesAndValues() throws Exception {
        FrameMeta meta = FrameRoundTripTest.writeAllKinds(cache);

        JsonNode frame = loadInPandas(meta.key()).get(0);

        assertThat(frame.get("rows").asInt()).isEqualTo(6);
        assertColumn(frame, 0, "i", "Int64", "int64:1", "NAType:<NA>", "int64:-9223372036854775808",
                "int64:9223372036854775807", "int64:0", "int64:-7");
        // NULL and NaN both become NaN in float64: pandas cannot keep them apart.
        assertColumn(frame, 1, "f", "float64", "float64:1.5", "float64:nan", "float64:nan", "float64:inf",
                "float64:-inf", "float64:0.1");
        assertColumn(frame, 2, "b", "boolean", "bool_:True", "NAType:<NA>", "bool_:False", "bool_:True",
                "bool_:False", "NAType:<NA>");
        assertColumn(frame, 3, "s", "object", "str:plain", "NoneType:None", "str:",
                "str:quote \" comma , newline \n cr \r end", "str:unicode é 中文 🎉 \u2028 sep", "str:\"");
        assertColumn(frame, 4, "d", "object", "Decimal:12345678901234567890.123456789", "NoneType:None",
                "Decimal:-0.10", "Decimal:1000", "Decimal:0", "NoneType:None");
        // 'infinity' (LocalDate.MAX) has no datetime.date: None.
        assertColumn(frame, 5, "dt", "object", "date:2024-02-29", "NoneType:None", "NoneType:None",
                "date:0001-01-01", "date:1970-01-01", "NoneType:None");
        assertColumn(frame, 6, "ts", "datetime64[ns]", "Timestamp:2024-01-02 03:04:05.123456", "NaTType:NaT",
                "Timestamp:2024-01-02 03:04:00", "Timestamp:1999-12-31 23:59:59", "Timestamp:1970-01-01 00:00:00",
                "NaTType:NaT");
        assertColumn(frame, 7, "tz", "datetime64[ns, UTC]", "Timestamp:2024-01-02 01:04:05+00:00", "NaTType:NaT",
                "Timestamp:2024-06-01 00:00:00+00:00", "Timestamp:2024-01-02 08:34:05.500000+00:00", "NaTType:NaT",
                "NaTType:NaT");
        assertColumn(frame, 8, "t", "object", "str:13:45:00", "NoneType:None", "str:13:45:00.5+02", "str:00:00:00",
                "NoneType:None", "NoneType:None");
        // JSON null inside a json column and SQL NULL are both null on disk: None.
        assertColumn(frame, 9, "j", "object", "dict:{'a': [1, 2.5, None], 'b': 'x\\ny'}", "NoneType:None",
                "float:1.2345678901234567e+19", "str:text", "list:[]", "NoneType:None");
        assertColumn(frame, 10, "by", "object", "bytes:b'\\x00\\x01\\xff'", "NoneType:None", "bytes:b''",
                "bytes:b'a'", "NoneType:None", "NoneType:None");
        assertColumn(frame, 11, "arr", "object", "list:[1, None, 3]", "NoneType:None", "list:[]",
                "list:[['a', 'b'], ['c', None]]", "NoneType:None", "list:[None]");
        assertDtypesMatchMeta(frame, meta);
    }

    @Test
    void columnsWithoutNullsGetNonNullableDtypes() throws Exception {
        FrameMeta meta;
        try (FrameWriter w = cache.create(List.of(new FrameColumn("n", ColumnKind.INT64, "int8"),
                new FrameColumn("ok", ColumnKind.BOOL, "bool"), new FrameColumn("x", ColumnKind.FLOAT64, "float8"),
                new FrameColumn("n", ColumnKind.INT64, "int4")), Provenance.sql("SELECT", Optional.empty()))) {
            w.append(new Object[] {1L, true, 1.0, 10L});
            w.append(new Object[] {2L, false, 1e300, 20L});
            meta = w.commit();
        }

        JsonNode frame = loadInPandas(meta.key()).get(0);

        assertColumn(frame, 0, "n", "int64", "int64:1", "int64:2");
        assertColumn(frame, 1, "ok", "bool", "bool_:True", "bool_:False");
        assertColumn(frame, 2, "x", "float64", "float64:1.0", "float64:1e+300");
        // Repeated column names survive.
        assertColumn(frame, 3, "n", "int64", "int64:10", "int64:20");
        assertDtypesMatchMeta(frame, meta);
    }

    @Test
    void emptyFrameGetsEveryColumnWithItsDtype() throws Exception {
        FrameMeta meta;
        try (FrameWriter w = cache.create(FrameRoundTripTest.ALL_KINDS, Provenance.sql("SELECT", Optional.empty()))) {
            meta = w.commit();
        }

        JsonNode frame = loadInPandas(meta.key()).get(0);

        assertThat(frame.get("rows").asInt()).isZero();
        List<String> dtypes = new ArrayList<>();
        frame.get("columns").forEach(c -> dtypes.add(c.get("dtype").asText()));
        assertThat(dtypes).containsExactly("int64", "float64", "bool", "object", "object", "object",
                "datetime64[ns]", "datetime64[ns, UTC]", "object", "object", "object", "object");
        assertDtypesMatchMeta(frame, meta);
    }

    @Test
    void unrepresentableDatesAndTimestampsLoadAsMissing() throws Exception {
        FrameMeta meta;
        try (FrameWriter w = cache.create(List.of(new FrameColumn("d", ColumnKind.DATE, "date"),
                new FrameColumn("ts", ColumnKind.TIMESTAMP, "timestamp"),
                new FrameColumn("tz", ColumnKind.TIMESTAMPTZ, "timestamptz"),
                new FrameColumn("amount", ColumnKind.DECIMAL, "numeric")), Provenance.sql("SELECT", Optional.empty()))) {
            w.append(new Object[] {LocalDate.of(10_000, 1, 1), LocalDateTime.MAX, OffsetDateTime.MIN, "NaN"});
            w.append(new Object[] {LocalDate.MIN, LocalDateTime.of(3000, 1, 1, 0, 0),
                    OffsetDateTime.of(1500, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), new BigDecimal("0.000000000000000000001")});
            w.append(new Object[] {LocalDate.of(9999, 12, 31), LocalDateTime.of(2262, 4, 11, 0, 0),
                    OffsetDateTime.of(1678, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), new BigDecimal("-1E-30")});
            meta = w.commit();
        }

        JsonNode frame = loadInPandas(meta.key()).get(0);

        assertColumn(frame, 0, "d", "object", "NoneType:None", "NoneType:None", "date:9999-12-31");
        assertColumn(frame, 1, "ts", "datetime64[ns]", "NaTType:NaT", "NaTType:NaT", "Timestamp:2262-04-11 00:00:00");
        assertColumn(frame, 2, "tz", "datetime64[ns, UTC]", "NaTType:NaT", "NaTType:NaT",
                "Timestamp:1678-01-01 00:00:00+00:00");
        assertColumn(frame, 3, "amount", "object", "Decimal:NaN", "Decimal:1E-21", "Decimal:-1E-30");
    }

    private static void assertColumn(JsonNode frame, int index, String name, String dtype, String... values) {
        JsonNode column = frame.get("columns").get(index);
        assertThat(column.get("name").asText()).as("name of column %d", index).isEqualTo(name);
        assertThat(column.get("dtype").asText()).as("dtype of %s", name).isEqualTo(dtype);
        List<String> actual = new ArrayList<>();
        column.get("values").forEach(v -> actual.add(v.asText()));
        assertThat(actual).as("values of %s", name).containsExactly(values);
    }

    private static void assertDtypesMatchMeta(JsonNode frame, FrameMeta meta) {
        for (int i = 0; i < meta.columns().size(); i++) {
            assertThat(frame.get("columns").get(i).get("dtype").asText()).as("dtype of column %d", i)
                    .isEqualTo(meta.columns().get(i).dtype());
        }
    }

    private JsonNode loadInPandas(String... keys) throws IOException, InterruptedException {
        requirePandas();
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), "-c", SCRIPT));
        for (String key : keys) {
            command.add(cache.frameDirectory(key).toString());
        }
        Result r = run(command);
        if (r.exit != 0) {
            fail("dea_frames.load_frame failed (exit " + r.exit + "):\n" + r.stderr);
        }
        return mapper.readTree(r.stdout);
    }

    private static void requirePandas() throws IOException, InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            fail(PYTHON + " is missing: this test needs Debian's python3 with pandas and numpy "
                    + "(apt-get install python3-pandas)");
        }
        if (!Files.isRegularFile(RUNNER_DIR.resolve("dea_frames.py"))) {
            fail("dea_frames.py not found in " + RUNNER_DIR + " (run the tests from the agent module)");
        }
        Result r = run(List.of(PYTHON.toString(), "-c", "import pandas, numpy"));
        if (r.exit != 0) {
            fail(PYTHON + " cannot import pandas/numpy (apt-get install python3-pandas):\n" + r.stderr);
        }
    }

    private record Result(int exit, String stdout, String stderr) {
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PYTHONPATH", RUNNER_DIR.toString());
        pb.environment().put("PYTHONIOENCODING", "utf-8");
        // No __pycache__ left in the source tree.
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Path err = Files.createTempFile("dea-frames", ".stderr");
        try {
            pb.redirectError(err.toFile());
            Process p = pb.start();
            p.getOutputStream().close();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("python did not finish within 120 s");
            }
            return new Result(p.exitValue(), stdout, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
