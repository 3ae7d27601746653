package dev.dea.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.cache.ColumnMeta;
import dev.dea.cache.FrameMeta;
import dev.dea.config.SandboxConfig;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameColumn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The sandbox end to end: real engine, real image, real PostgreSQL; no mocks. */
class SandboxServiceIT {
    private static SandboxFixture fixture;
    private static SandboxConfig config;
    private static SandboxService service;

    @BeforeAll
    static void start() throws Exception {
        fixture = new SandboxFixture();
        config = SandboxFixture.config(Duration.ofSeconds(5), 4, 4, Optional.empty());
        service = fixture.service(config);
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
        service.close();   // idempotent
        assertThat(SandboxFixture.containersOf(service, config)).isZero();
        fixture.close();
    }

    @AfterEach
    void noContainerLeft() {
        // A used container is removed in the background, right after the answer.
        SandboxFixture.awaitContainers(service, config, 0, Duration.ofSeconds(15));
    }

    private static SandboxOutcome run(String code, Map<String, String> inputs) {
        // Exact decimals: these tests check decimal values and kinds through the round trip.
        return service.execute(new SandboxJob(code, inputs, Optional.of("req-1"), LiveOutput.NONE, true,
                fixture.sqlCallback()));
    }

    private static AgentException fails(String code) {
        return catchThrowableOfType(AgentException.class, () -> run(code, Map.of()));
    }

    @Test
    void joinsTwoInputsAndKeepsTypesAndNulls() {
        FrameMeta payments = fixture.frame(List.of(new FrameColumn("id", ColumnKind.INT64, "int8"),
                        new FrameColumn("amount", ColumnKind.DECIMAL, "numeric"), new FrameColumn("day", ColumnKind.DATE, "date"),
                        new FrameColumn("at", ColumnKind.TIMESTAMP, "timestamp"), new FrameColumn("note", ColumnKind.STRING, "text")),
                List.of(new Object[] {1L, new BigDecimal("12.50"), LocalDate.of(2024, 2, 29), LocalDateTime.of(2024, 1, 2, 3, 4, 5), "a"},
                        new Object[] {2L, new BigDecimal("-0.10"), null, null, null},
                        new Object[] {3L, null, LocalDate.of(2023, 1, 1), LocalDateTime.of(2024, 1, 2, 3, 4, 5, 678_000_000), ""}));
        FrameMeta names = fixture.frame(List.of(new FrameColumn("id", ColumnKind.INT64, "int8"),
                        new FrameColumn("name", ColumnKind.STRING, "text")),
                List.of(new Object[] {1L, "Ada"}, new Object[] {2L, "Grace"}, new Object[] {3L, "Linus"}));
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put("payments", payments.key());
        inputs.put("names", names.key());
        SandboxOutcome out = run("""
                p = input_data["payments"]
                n = input_data["names"]
                print(p.dtypes.to_dict())
                result_df = p.merge(n, on="id").sort_values("id").reset_index(drop=True)
                """, inputs);
        FrameMeta frame = out.frame();
        assertThat(frame.rowCount()).isEqualTo(3);
        assertThat(frame.columns().stream().map(ColumnMeta::name)).containsExactly("id", "amount", "day", "at", "note", "name");
        assertThat(frame.columns().stream().map(ColumnMeta::kind)).containsExactly(ColumnKind.INT64, ColumnKind.DECIMAL,
                ColumnKind.DATE, ColumnKind.TIMESTAMP, ColumnKind.STRING, ColumnKind.STRING);
        assertThat(frame.columns().get(1).stats().get("null_count")).isEqualTo(1L);
        assertThat(frame.provenance().kind()).isEqualTo("python");
        assertThat(frame.provenance().parentKeys()).containsExactly(payments.key(), names.key());
        assertThat(frame.provenance().requestId()).contains("req-1");
        List<JsonNode> rows = fixture.cache.previewRows(frame.key(), 10);
        assertThat(rows.get(0).toString()).isEqualTo("[1,\"12.50\",\"2024-02-29\",\"2024-01-02T03:04:05\",\"a\",\"Ada\"]");
        assertThat(rows.get(1).toString()).isEqualTo("[2,\"-0.10\",null,null,null,\"Grace\"]");
        assertThat(rows.get(2).toString()).isEqualTo("[3,null,\"2023-01-01\",\"2024-01-02T03:04:05.678\",\"\",\"Linus\"]");
        assertThat(out.stdout()).contains("'amount': dtype('O')");
        assertThat(out.stdoutTruncated()).isFalse();
        assertThat(out.elapsedMs()).isPositive();
    }

    @Test
    void inputColumnsReturnedUnchangedAreCopiedFromTheCacheAndChangedOnesComeAsSent() {
        FrameMeta a = fixture.frame(List.of(new FrameColumn("id", ColumnKind.INT64, "int8"),
                        new FrameColumn("note", ColumnKind.STRING, "text"), new FrameColumn("day", ColumnKind.DATE, "date"),
                        new FrameColumn("amount", ColumnKind.DECIMAL, "numeric")),
                List.of(new Object[] {1L, "a", LocalDate.of(2024, 2, 29), new BigDecimal("12.50")},
                        new Object[] {2L, null, null, new BigDecimal("-0.10")},
                        new Object[] {3L, "c", LocalDate.of(2023, 1, 1), null}));
        FrameMeta b = fixture.frame(List.of(new FrameColumn("name", ColumnKind.STRING, "text")),
                List.of(new Object[] {"Ada"}, new Object[] {"Grace"}, new Object[] {"Linus"}));
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put("a", a.key());
        inputs.put("b", b.key());
        List<String> exchanges = new ArrayList<>();
        FrameMeta frame = withExchangeLog(exchanges, () -> run("""
                df = input_data["a"]
                df.loc[0, "note"] = "changed"
                df["name"] = input_data["b"]["name"]
                result_df = df
                """, inputs)).frame();
        // id, day and name come back as they were sent; note was changed in place, amount is a decimal.
        assertThat(exchanges).anySatisfy(line -> assertThat(line).endsWith("3 columns copied from its frames"));
        assertThat(frame.columns().stream().map(ColumnMeta::name)).containsExactly("id", "note", "day", "amount", "name");
        List<JsonNode> rows = fixture.cache.previewRows(frame.key(), 10);
        assertThat(rows.toString()).isEqualTo("[[1,\"changed\",\"2024-02-29\",\"12.50\",\"Ada\"], "
                + "[2,null,null,\"-0.10\",\"Grace\"], [3,\"c\",\"2023-01-01\",null,\"Linus\"]]");
        assertThat(frame.columns().get(0).stats()).isEqualTo(a.columns().get(0).stats());
        assertThat(frame.columns().get(2).stats()).isEqualTo(a.columns().get(2).stats());
        assertThat(frame.columns().get(4).stats()).isEqualTo(b.columns().get(0).stats());
        assertThat(frame.columns().get(2).dtype()).isEqualTo("object");
        assertThat(frame.columns().get(0).sourceType()).isEqualTo("int64");
        assertThat(frame.columns().get(1).stats().get("top_values").toString()).contains("changed");
        assertThat(frame.provenance().parentKeys()).containsExactly(a.key(), b.key());
    }

    @Test
    void filteredOrSortedRowsOfAnInputAreGatheredFromTheCacheWithTheStatsOfThoseRows() {
        List<FrameColumn> kinds = List.of(new FrameColumn("id", ColumnKind.INT64, "int8"),
                new FrameColumn("note", ColumnKind.STRING, "text"), new FrameColumn("day", ColumnKind.DATE, "date"),
                new FrameColumn("amount", ColumnKind.DECIMAL, "numeric"));
        List<Object[]> all = List.of(new Object[] {1L, "a", LocalDate.of(2024, 2, 29), new BigDecimal("12.50")},
                new Object[] {2L, null, null, new BigDecimal("-0.10")},
                new Object[] {3L, "c", LocalDate.of(2023, 1, 1), new BigDecimal("7")},
                new Object[] {4L, "d", LocalDate.of(2022, 5, 6), new BigDecimal("1.25")});
        FrameMeta a = fixture.frame(kinds, all);
        List<String> exchanges = new ArrayList<>();
        // Not exact: the default, amount is float64 in pandas.
        FrameMeta frame = withExchangeLog(exchanges, () -> service.execute(new SandboxJob("""
                df = input_data["a"]
                result_df = df[df.id != 3].sort_values("id", ascending=False)
                """, Map.of("a", a.key()), Optional.of("req-1"), LiveOutput.NONE, false, fixture.sqlCallback()))).frame();
        // Every column, the decimal as the floats pandas held: named by the input rows they hold, none sent back.
        assertThat(exchanges).anySatisfy(line -> assertThat(line).endsWith("4 columns copied from its frames"));
        assertThat(fixture.cache.previewRows(frame.key(), 10).toString()).isEqualTo("[[4,\"d\",\"2022-05-06\",1.25], "
                + "[2,null,null,-0.1], [1,\"a\",\"2024-02-29\",12.5]]");
        FrameMeta expected = fixture.frame(kinds.subList(0, 3), java.util.stream.Stream.of(3, 1, 0)
                .map(r -> java.util.Arrays.copyOf(all.get(r), 3)).toList());
        for (int i = 0; i < 3; i++) {
            assertThat(frame.columns().get(i).stats()).as("stats of column %d", i).isEqualTo(expected.columns().get(i).stats());
        }
        assertThat(frame.columns().get(3).kind()).isEqualTo(ColumnKind.FLOAT64);
        assertThat(frame.rowCount()).isEqualTo(3);
    }

    @Test
    void wrapsSeriesAndScalarsAndRendersFigures() {
        SandboxOutcome scalar = run("result_df = 42", Map.of());
        assertThat(scalar.frame().columns().get(0).name()).isEqualTo("value");
        assertThat(fixture.cache.previewRows(scalar.frame().key(), 5).get(0).toString()).isEqualTo("[42]");
        SandboxOutcome series = run("""
                plt.plot([1, 2, 3])
                result_df = pd.Series([1.5, None], name="x")
                """, Map.of());
        assertThat(series.frame().columns().get(0).kind()).isEqualTo(ColumnKind.FLOAT64);
        List<JsonNode> rows = fixture.cache.previewRows(series.frame().key(), 5);
        assertThat(rows.get(0).toString()).isEqualTo("[1.5]");
        assertThat(rows.get(1).toString()).isEqualTo("[\"NaN\"]");
        assertThat(series.artifacts()).hasSize(1);
        assertThat(series.artifacts().get(0).mediaType()).isEqualTo("image/png");
        assertThat(series.artifacts().get(0).width()).isPositive();
    }

    @Test
    void aDecimalReturnedAsPandasHeldItComesBackAsItsFloatsWithoutNulls() {
        FrameMeta a = fixture.frame(List.of(new FrameColumn("id", ColumnKind.INT64, "int8"),
                        new FrameColumn("amount", ColumnKind.DECIMAL, "numeric")),
                List.of(new Object[] {1L, new BigDecimal("12.50")}, new Object[] {2L, null},
                        new Object[] {3L, new BigDecimal("-0.10")}));
        List<String> exchanges = new ArrayList<>();
        // Not exact: the default, amount is float64 in pandas (NaN for the NULL).
        FrameMeta frame = withExchangeLog(exchanges, () -> service.execute(new SandboxJob("result_df = input_data['a']",
                Map.of("a", a.key()), Optional.of("req-1"), LiveOutput.NONE, false, fixture.sqlCallback()))).frame();
        assertThat(exchanges).anySatisfy(line -> assertThat(line).endsWith("2 columns copied from its frames"));
        ColumnMeta amount = frame.columns().get(1);
        assertThat(amount.kind()).isEqualTo(ColumnKind.FLOAT64);
        assertThat(amount.dtype()).isEqualTo("float64");
        assertThat(amount.stats()).containsEntry("null_count", 0L).containsEntry("nan_count", 1L)
                .containsEntry("min", -0.1).containsEntry("max", 12.5);
    }

    /** Runs {@code step} with RunnerExchange's debug lines collected into {@code lines}. */
    private static SandboxOutcome withExchangeLog(List<String> lines, java.util.function.Supplier<SandboxOutcome> step) {
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(RunnerExchange.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
                new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        ch.qos.logback.classic.Level level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.DEBUG);
        logger.addAppender(logs);
        try {
            return step.get();
        } finally {
            logger.detachAppender(logs);
            logger.setLevel(level);
            logs.list.forEach(e -> lines.add(e.getFormattedMessage()));
        }
    }

    @Test
    void answersSqlAndReadSqlThroughTheGuard() {
        List<String> exchanges = new ArrayList<>();
        SandboxOutcome out = withExchangeLog(exchanges, () -> run("""
                films = sql("SELECT film_id, title, rental_rate FROM film ORDER BY film_id LIMIT 5")
                n = pd.read_sql("SELECT count(*) AS n FROM film", conn)
                result_df = films.assign(total=int(n["n"][0]))
                """, Map.of()));
        // film_id and title are the sql() frame's, copied by the agent; rental_rate is exact (Decimal objects).
        assertThat(exchanges).anySatisfy(line -> assertThat(line).endsWith("2 columns copied from its frames"));
        assertThat(out.frame().rowCount()).isEqualTo(5);
        assertThat(out.frame().columns().get(2).kind()).as("numeric stays exact").isEqualTo(ColumnKind.DECIMAL);
        JsonNode first = fixture.cache.previewRows(out.frame().key(), 1).get(0);
        assertThat(first.get(0).asLong()).isEqualTo(1);
        assertThat(first.get(3).asLong()).isEqualTo(1000);
    }

    @Test
    void rejectedSqlSurfacesAsAnExecutionError() {
        AgentException e = fails("result_df = sql(\"DELETE FROM film\")");
        assertThat(e.type()).isEqualTo(ErrorType.EXECUTION_ERROR);
        assertThat(e.getMessage()).contains("AgentSqlError").contains("SQL_REJECTED");
        @SuppressWarnings("unchecked")
        Map<String, Object> sqlError = (Map<String, Object>) e.details().get("sql_error");
        assertThat(sqlError.get("type")).isEqualTo("SQL_REJECTED");
    }

    @Test
    void aStepMayCallSqlAThousandTimesAndNoQueryLongerThanTheGuardTakesReachesTheCallback() {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        SqlCallback counting = (query, datasource, requestId) -> {
            calls.incrementAndGet();
            try (var w = fixture.cache.create(List.of(new FrameColumn("one", ColumnKind.INT64, "int8")),
                    dev.dea.cache.Provenance.sql(query, requestId))) {
                w.append(new Object[]{1L});
                return w.commitPinned();
            }
        };
        SandboxOutcome out = service.execute(new SandboxJob("""
                try:
                    sql("x" * 1100000)
                except Exception as e:
                    print("long:", str(e)[:80])
                n = 0
                try:
                    for _ in range(1001):
                        sql("SELECT 1 AS one")
                        n += 1
                except Exception as e:
                    print("after", n, str(e)[:120])
                result_df = n
                """, Map.of(), Optional.empty(), LiveOutput.NONE, false, counting));
        // The refused long query counts as one of the thousand calls.
        assertThat(out.stdout()).contains("long: VALIDATION_ERROR").contains("after 999").contains("at most 1000");
        assertThat(calls).as("neither the long query nor the 1,000th reached the callback").hasValue(999);
    }

    @Test
    void aStepGivenNoDatabaseHasItsSqlRefused() {
        AgentException e = catchThrowableOfType(AgentException.class,
                () -> service.execute(new SandboxJob("result_df = sql(\"SELECT 1 AS one\")", Map.of(), Optional.empty())));
        assertThat(e.type()).isEqualTo(ErrorType.EXECUTION_ERROR);
        assertThat(e.getMessage()).contains("AgentSqlError").contains("no database access");
    }

    @Test
    void userExceptionsCarryTheUserLine() {
        AgentException e = fails("""
                x = 1
                print("before")
                y = x / 0
                result_df = y
                """);
        assertThat(e.type()).isEqualTo(ErrorType.EXECUTION_ERROR);
        assertThat(e.getMessage()).isEqualTo("ZeroDivisionError: division by zero");
        assertThat(e.details()).containsEntry("exception", "ZeroDivisionError").containsEntry("line", 3);
        assertThat((String) e.details().get("traceback")).contains("line 3");
        assertThat((String) e.details().get("stdout")).contains("before");
    }

    @Test
    void unknownInputIsNotFound() {
        AgentException e = catchThrowableOfType(AgentException.class, () -> run("result_df = 1",
                Map.of("x", "00000000-0000-4000-8000-000000000000")));
        assertThat(e.type()).isEqualTo(ErrorType.NOT_FOUND);
        assertThat(e.getMessage()).contains("00000000-0000-4000-8000-000000000000");
    }

    @Test
    void infiniteLoopTimesOut() {
        long t0 = System.nanoTime();
        AgentException e = fails("while True:\n    pass\n");
        assertThat(e.type()).isEqualTo(ErrorType.TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void sleepingPastTheTimeoutIsKilled() {
        // An idle process uses no CPU: only the wall clock can stop it.
        long t0 = System.nanoTime();
        AgentException e = fails("import time\ntime.sleep(3600)\nresult_df = 1\n");
        assertThat(e.type()).isEqualTo(ErrorType.TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void memoryBombHitsTheMemoryLimit() {
        AgentException e = fails("""
                chunks = []
                while True:
                    chunks.append(bytearray(8 * 1024 * 1024))
                """);
        assertThat(e.type()).as(e.getMessage()).isEqualTo(ErrorType.MEMORY_LIMIT);
    }

    @Test
    void aMemoryLimitSaysHowLargeTheInputsWere() {
        FrameMeta small = fixture.frame(List.of(new FrameColumn("id", ColumnKind.INT64, "int8")),
                List.of(new Object[] {1L}, new Object[] {2L}, new Object[] {3L}));
        AgentException e = catchThrowableOfType(AgentException.class, () -> run("""
                chunks = []
                while True:
                    chunks.append(bytearray(8 * 1024 * 1024))
                """, Map.of("t", small.key())));
        assertThat(e.type()).as(e.getMessage()).isEqualTo(ErrorType.MEMORY_LIMIT);
        assertThat(e.getMessage()).contains("Its input frame holds 3 rows").contains("SANDBOX_MEMORY_MB");
        assertThat(e.details()).containsEntry("input_rows", 3L).containsEntry("input_bytes", small.bytes());
    }

    @Test
    void forkBombDoesNotHurtTheAgent() {
        AgentException e = fails("""
                import os
                while True:
                    os.fork()
                """);
        assertThat(e.type()).as(e.getMessage()).isIn(ErrorType.EXECUTION_ERROR, ErrorType.TIMEOUT);
        assertThat(run("result_df = 1", Map.of()).frame().rowCount()).isEqualTo(1);
    }

    @Test
    void hasNoNetwork() {
        SandboxOutcome out = run("""
                import socket
                outcomes = []
                for host, port in [("127.0.0.1", 5432), ("172.17.0.1", 5432), ("1.1.1.1", 53)]:
                    try:
                        socket.create_connection((host, port), timeout=2).close()
                        outcomes.append("connected")
                    except OSError as e:
                        outcomes.append(type(e).__name__)
                result_df = pd.DataFrame({"outcome": outcomes})
                """, Map.of());
        assertThat(fixture.cache.previewRows(out.frame().key(), 5).toString()).doesNotContain("connected");
    }

    @Test
    void rootFilesystemIsReadOnlyAndTmpIsWritable() {
        SandboxOutcome out = run("""
                import os
                with open("/tmp/ok.txt", "w") as f:
                    f.write("x")
                errors = []
                for path in ["/opt/x", "/work/x", "/etc/x"]:
                    try:
                        open(path, "w").close()
                        errors.append("written")
                    except OSError as e:
                        errors.append(type(e).__name__)
                result_df = pd.DataFrame({"error": errors, "uid": os.getuid()})
                """, Map.of());
        String rows = fixture.cache.previewRows(out.frame().key(), 5).toString();
        assertThat(rows).doesNotContain("written").contains("10001");
    }

    @Test
    void floodedStdoutIsTruncatedWithAMarker() {
        SandboxOutcome out = run("""
                for i in range(100000):
                    print("line", i)
                result_df = 1
                """, Map.of());
        assertThat(out.stdoutTruncated()).isTrue();
        assertThat(out.stdout()).contains("[output truncated");
        assertThat(out.stdout().length()).isLessThan(5000);
    }

    @Test
    void overCapacityIsTooManyRequests() throws Exception {
        SandboxConfig tight = SandboxFixture.config(Duration.ofSeconds(10), 1, 0, Optional.empty());
        try (SandboxService small = fixture.service(tight)) {
            List<Thread> threads = new ArrayList<>();
            List<Object> results = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 4; i++) {
                Thread t = Thread.ofVirtual().start(() -> {
                    try {
                        results.add(small.execute(new SandboxJob("import time\ntime.sleep(2)\nresult_df = 1", Map.of(),
                                Optional.empty())));
                    } catch (AgentException e) {
                        results.add(e);
                    }
                });
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join();
            }
            List<AgentException> rejected = results.stream().filter(AgentException.class::isInstance)
                    .map(AgentException.class::cast).toList();
            assertThat(rejected).isNotEmpty().allSatisfy(e -> {
                assertThat(e.type()).isEqualTo(ErrorType.TOO_MANY_REQUESTS);
                assertThat(e.details()).containsKey("retry_after_seconds");
            });
            assertThat(results).anyMatch(SandboxOutcome.class::isInstance);
            assertThat(small.status().running()).isZero();
            small.close();
            assertThat(SandboxFixture.containersOf(small, tight)).isZero();
        }
    }

    @Test
    void measuresAColdTrivialExecution() {
        long t0 = System.nanoTime();
        run("result_df = 1", Map.of());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("cold trivial execution: " + ms + " ms");
        assertThat(ms).isLessThan(30_000);
    }
}
