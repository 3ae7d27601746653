package dev.dea.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.config.CacheConfig;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameColumn;
import dev.dea.frame.FrameJson;
import dev.dea.frame.FrameValues.RawJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class FrameRoundTripTest {
    static final List<FrameColumn> ALL_KINDS = List.of(
            new FrameColumn("i", ColumnKind.INT64, "int8"),
            new FrameColumn("f", ColumnKind.FLOAT64, "float8"),
            new FrameColumn("b", ColumnKind.BOOL, "bool"),
            new FrameColumn("s", ColumnKind.STRING, "text"),
            new FrameColumn("d", ColumnKind.DECIMAL, "numeric"),
            new FrameColumn("dt", ColumnKind.DATE, "date"),
            new FrameColumn("ts", ColumnKind.TIMESTAMP, "timestamp"),
            new FrameColumn("tz", ColumnKind.TIMESTAMPTZ, "timestamptz"),
            new FrameColumn("t", ColumnKind.TIME, "time"),
            new FrameColumn("j", ColumnKind.JSON, "json"),
            new FrameColumn("by", ColumnKind.BYTES, "bytea"),
            new FrameColumn("arr", ColumnKind.ARRAY, "_int4"));

    static final Object[][] ALL_KINDS_ROWS = {
            {1L, 1.5, true, "plain", new BigDecimal("12345678901234567890.123456789"), LocalDate.of(2024, 2, 29),
                    LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000),
                    OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHours(2)), "13:45:00",
                    new RawJson("{\"a\": [1, 2.50, null],\n \"b\": \"x\\ny\"}"), new byte[] {0, 1, (byte) 255},
                    new Object[] {1L, null, 3L}},
            {null, null, null, null, null, null, null, null, null, null, null, null},
            {Long.MIN_VALUE, Double.NaN, false, "", new BigDecimal("-0.10"), LocalDate.MAX,
                    LocalDateTime.of(2024, 1, 2, 3, 4), OffsetDateTime.of(2024, 6, 1, 0, 0, 0, 0, ZoneOffset.UTC),
                    "13:45:00.5+02", new RawJson("12345678901234567890.123456789"), new byte[0], new Object[] {}},
            {Long.MAX_VALUE, Double.POSITIVE_INFINITY, true, "quote \" comma , newline \n cr \r end",
                    new BigDecimal("1E+3"), LocalDate.of(1, 1, 1), LocalDateTime.of(1999, 12, 31, 23, 59, 59),
                    OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 500_000_000, ZoneOffset.ofHoursMinutes(-5, -30)),
                    "00:00:00", new RawJson("\"text\""), new byte[] {'a'},
                    new Object[] {new Object[] {"a", "b"}, new Object[] {"c", null}}},
            {0L, Double.NEGATIVE_INFINITY, false, "unicode é 中文 🎉 \u2028 sep", BigDecimal.ZERO,
                    LocalDate.of(1970, 1, 1), LocalDateTime.of(1970, 1, 1, 0, 0), null, null,
                    new RawJson("[]"), null, null},
            {-7L, 0.1, null, "\"", null, null, null, null, null, new RawJson("null"), null, new Object[] {null}},
    };

    static final String[] ROW_JSON = {
            "[1,1.5,true,\"plain\",\"12345678901234567890.123456789\",\"2024-02-29\",\"2024-01-02T03:04:05.123456\","
                    + "\"2024-01-02T01:04:05Z\",\"13:45:00\",{\"a\":[1,2.50,null],\"b\":\"x\\ny\"},\"AAH/\",[1,null,3]]",
            "[null,null,null,null,null,null,null,null,null,null,null,null]",
            "[-9223372036854775808,\"NaN\",false,\"\",\"-0.10\",\"infinity\",\"2024-01-02T03:04:00\","
                    + "\"2024-06-01T00:00:00Z\",\"13:45:00.5+02\",12345678901234567890.123456789,\"\",[]]",
            "[9223372036854775807,\"Infinity\",true,\"quote \\\" comma , newline \\n cr \\r end\",\"1000\","
                    + "\"0001-01-01\",\"1999-12-31T23:59:59\",\"2024-01-02T08:34:05.5Z\",\"00:00:00\",\"text\","
                    + "\"YQ==\",[[\"a\",\"b\"],[\"c\",null]]]",
            "[0,\"-Infinity\",false,\"unicode é 中文 🎉 \u2028 sep\",\"0\",\"1970-01-01\",\"1970-01-01T00:00:00\","
                    + "null,null,[],null,null]",
            "[-7,0.1,null,\"\\\"\",null,null,null,null,null,null,null,[null]]",
    };

    @TempDir
    Path dir;
    FrameCache cache;
    final ObjectMapper mapper = FrameJson.newMapper();

    @BeforeEach
    void open() {
        cache = new FrameCache(new CacheConfig(dir, Duration.ofHours(1), 1L << 30, 1L << 28, 100_000));
    }

    @AfterEach
    void close() {
        cache.close();
    }

    static FrameMeta writeAllKinds(FrameCache cache) {
        try (FrameWriter w = cache.create(ALL_KINDS, Provenance.sql("SELECT everything", Optional.of("req-1")))) {
            for (Object[] row : ALL_KINDS_ROWS) {
                w.append(row);
            }
            return w.commit();
        }
    }

    @Test
    void previewRowsReturnEveryKindInTheWireEncoding() throws Exception {
        FrameMeta meta = writeAllKinds(cache);

        List<JsonNode> rows = cache.previewRows(meta.key(), 100);

        assertThat(rows).hasSize(ROW_JSON.length);
        for (int i = 0; i < rows.size(); i++) {
            assertThat(mapper.writeValueAsString(rows.get(i))).as("row %d", i).isEqualTo(ROW_JSON[i]);
        }
        assertThat(cache.previewRows(meta.key(), 2)).hasSize(2);
        assertThat(cache.previewRows(meta.key(), 0)).isEmpty();
    }

    @Test
    void writeJsonStreamsColumnsAndRowsAsOneDocument() throws Exception {
        FrameMeta meta = writeAllKinds(cache);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        cache.writeJson(meta.key(), out);

        JsonNode doc = mapper.readTree(out.toByteArray());
        assertThat(doc.get("columns")).hasSize(ALL_KINDS.size());
        assertThat(doc.get("columns").get(0).asText()).isEqualTo("i");
        assertThat(doc.get("rows")).hasSize(ROW_JSON.length);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("{\"columns\":[\"i\",\"f\",\"b\",\"s\",\"d\",\"dt\",\"ts\",\"tz\",\"t\",\"j\",\"by\",\"arr\"],\"rows\":[[1,1.5,");
        assertThat(text).endsWith("[null]]]}");
        // The decimal inside json stays exact: the bytes are copied, never parsed into doubles.
        assertThat(text).contains(",12345678901234567890.123456789,");
    }

    @Test
    void writeCsvKeepsNullAndEmptyStringApartAndQuotesPerRfc4180() {
        FrameMeta meta = writeAllKinds(cache);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        cache.writeCsv(meta.key(), out);

        String[] lines = out.toString(StandardCharsets.UTF_8).split("\r\n", -1);
        assertThat(lines[0]).isEqualTo("i,f,b,s,d,dt,ts,tz,t,j,by,arr");
        assertThat(lines[1]).isEqualTo("1,1.5,true,plain,12345678901234567890.123456789,2024-02-29,"
                + "2024-01-02T03:04:05.123456,2024-01-02T01:04:05Z,13:45:00,"
                + "\"{\"\"a\"\": [1, 2.50, null],  \"\"b\"\": \"\"x\\ny\"\"}\",AAH/,\"[1,null,3]\"");
        assertThat(lines[2]).isEqualTo(",,,,,,,,,,,");
        assertThat(lines[3]).isEqualTo("-9223372036854775808,NaN,false,\"\",-0.10,infinity,2024-01-02T03:04:00,"
                + "2024-06-01T00:00:00Z,13:45:00.5+02,12345678901234567890.123456789,\"\",[]");
        // A lone LF or CR inside a quoted field is not a record end; only CRLF is.
        assertThat(lines[4]).isEqualTo("9223372036854775807,Infinity,true,\"quote \"\" comma , newline \n cr \r end\",1000,"
                + "0001-01-01,1999-12-31T23:59:59,2024-01-02T08:34:05.5Z,00:00:00,text,YQ==,"
                + "\"[[\"\"a\"\",\"\"b\"\"],[\"\"c\"\",null]]\"");
        assertThat(lines[5]).isEqualTo("0,-Infinity,false,unicode é 中文 🎉 \u2028 sep,0,1970-01-01,1970-01-01T00:00:00,,,[],,");
        assertThat(lines[6]).isEqualTo("-7,0.1,,\"\"\"\",,,,,,,,[null]");
        assertThat(lines[7]).isEmpty();
        assertThat(lines).hasSize(8);
    }

    @Test
    void metaRecordsColumnsDtypesStatsAndProvenance() {
        FrameMeta meta = writeAllKinds(cache);

        assertThat(meta.rowCount()).isEqualTo(ROW_JSON.length);
        assertThat(meta.truncated()).isFalse();
        assertThat(meta.provenance()).isEqualTo(new Provenance("sql", "SELECT everything", List.of(), Optional.of("req-1")));
        assertThat(meta.columns()).extracting(ColumnMeta::dtype).containsExactly(
                "Int64", "float64", "boolean", "object", "object", "object", "datetime64[ns]",
                "datetime64[ns, UTC]", "object", "object", "object", "object");
        ColumnMeta decimal = meta.columns().get(4);
        assertThat(decimal.sourceType()).isEqualTo("numeric");
        assertThat(decimal.stats()).containsEntry("count", 6L).containsEntry("null_count", 2L)
                .containsEntry("min", "-0.10").containsEntry("max", "12345678901234567890.123456789");
        assertThat(meta.columns().get(5).stats()).containsEntry("min", "0001-01-01").containsEntry("max", "infinity");
        assertThat(meta.columns().get(1).stats()).containsEntry("nan_count", 1L).containsEntry("max", "Infinity");
        long files = 0;
        for (int i = 0; i < meta.columns().size(); i++) {
            for (ColumnMeta.Buffer b : meta.columns().get(i).buffers()) {
                assertThat(sizeOf(cache.frameDirectory(meta.key()).resolve(i + "." + b.name()))).isEqualTo(b.bytes());
                files += b.bytes();
            }
        }
        assertThat(meta.bytes()).isEqualTo(files);
    }

    @Test
    void rendersOneRowPerLineEvenWhenJsonValuesContainLineBreaks() throws Exception {
        FrameMeta meta = writeAllKinds(cache);

        String rows;
        try (var in = cache.openRows(meta.key())) {
            rows = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        // lines() splits at \r too; the count matching proves no raw CR/LF sits in a value.
        assertThat(rows.lines()).hasSize(ROW_JSON.length);
        assertThat(rows).endsWith("]\n");
    }

    @Test
    void emptyFrameHasColumnsAndNoRows() throws Exception {
        FrameMeta meta;
        try (FrameWriter w = cache.create(ALL_KINDS, Provenance.sql("SELECT 1 WHERE false", Optional.empty()))) {
            meta = w.commit();
        }

        assertThat(meta.rowCount()).isZero();
        // Only the single 0 that starts each variable-length column's offsets.
        assertThat(meta.bytes()).isEqualTo(8L * ALL_KINDS.stream().filter(c -> ColumnLayout.variable(c.kind())).count());
        assertThat(meta.columns()).extracting(ColumnMeta::dtype).startsWith("int64", "float64", "bool");
        assertThat(cache.previewRows(meta.key(), 10)).isEmpty();
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        cache.writeJson(meta.key(), json);
        assertThat(json.toString(StandardCharsets.UTF_8))
                .isEqualTo("{\"columns\":[\"i\",\"f\",\"b\",\"s\",\"d\",\"dt\",\"ts\",\"tz\",\"t\",\"j\",\"by\",\"arr\"],\"rows\":[]}");
        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        cache.writeCsv(meta.key(), csv);
        assertThat(csv.toString(StandardCharsets.UTF_8)).isEqualTo("i,f,b,s,d,dt,ts,tz,t,j,by,arr\r\n");
        assertThat(mapper.readTree(json.toByteArray()).get("rows")).isEmpty();
    }

    @Test
    void truncationAndParentKeysAreRecorded() {
        String parent = writeAllKinds(cache).key();
        FrameMeta meta;
        try (FrameWriter w = cache.create(List.of(new FrameColumn("n", ColumnKind.INT64, "int64")),
                Provenance.python("df = frames[0]", List.of(parent), Optional.empty()))) {
            w.append(new Object[] {1L});
            w.markTruncated();
            assertThat(w.rowCount()).isEqualTo(1);
            meta = w.commit();
        }

        assertThat(meta.truncated()).isTrue();
        assertThat(meta.provenance().parentKeys()).containsExactly(parent);
        assertThat(cache.get(meta.key())).isEqualTo(meta);
    }

    @Test
    void columnNamesMayRepeatAndNeedQuoting() {
        FrameMeta meta;
        try (FrameWriter w = cache.create(List.of(new FrameColumn("id", ColumnKind.INT64, "int4"),
                new FrameColumn("id", ColumnKind.INT64, "int4"), new FrameColumn("a,\"b\"", ColumnKind.STRING, "text"),
                new FrameColumn("", ColumnKind.STRING, "text")), Provenance.sql("SELECT", Optional.empty()))) {
            w.append(new Object[] {1L, 2L, "x", "y"});
            meta = w.commit();
        }
        ByteArrayOutputStream csv = new ByteArrayOutputStream();

        cache.writeCsv(meta.key(), csv);

        assertThat(csv.toString(StandardCharsets.UTF_8)).isEqualTo("id,id,\"a,\"\"b\"\"\",\"\"\r\n1,2,x,y\r\n");
    }

    @Test
    void metaReadBackAfterRestartEqualsTheCommittedMeta() {
        FrameMeta meta = writeAllKinds(cache);
        cache.close();

        cache = new FrameCache(new CacheConfig(dir, Duration.ofHours(1), 1L << 30, 1L << 28, 100_000));

        assertThat(cache.get(meta.key())).isEqualTo(meta);
        assertThat(cache.get(meta.key()).columns().get(0).stats()).containsEntry("count", 6L);
        assertThat(cache.stats().frames()).isEqualTo(1);
    }

    static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
