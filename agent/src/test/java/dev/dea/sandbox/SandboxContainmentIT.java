package dev.dea.sandbox;

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

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * User code that reaches the runner's private protocol channel (it shares the runner's
 * process, so it can) must not wedge a slot, outlive the time limit or smuggle artifacts.
 * One slot and no queue: a slot that stayed taken would fail the next step at once.
 */
class SandboxContainmentIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** The runner's protocol descriptor, as user code finds it. */
    private static final String CHANNEL = "import os, sys\nfd = sys.modules['__main__'].CHANNEL.out_fd\n";
    private static SandboxFixture fixture;
    private static SandboxConfig config;
    private static SandboxService service;

    @BeforeAll
    static void start() throws Exception {
        fixture = new SandboxFixture();
        config = SandboxFixture.config(TIMEOUT, 1, 0, Optional.empty());
        service = fixture.service(config);
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
        fixture.close();
    }

    @AfterEach
    void slotIsFreeAndNoContainerIsLeft() {
        assertThat(run("result_df = 41 + 1").frame().rowCount()).isEqualTo(1);
        SandboxFixture.awaitContainers(service, config, 0, Duration.ofSeconds(20));
    }

    private static SandboxOutcome run(String code) {
        return service.execute(new SandboxJob(code, Map.of(), Optional.of("req-containment")));
    }

    private static AgentException failsWithin(Duration limit, String code) {
        long t0 = System.nanoTime();
        AgentException e = catchThrowableOfType(AgentException.class, () -> run(code));
        assertThat(e).as("the step must end with an error").isNotNull();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(limit);
        return e;
    }

    @Test
    void aBadLineFollowedByMegabytesOnTheChannelEndsTheStepWithAnError() {
        AgentException e = failsWithin(TIMEOUT, CHANNEL + """
                os.write(fd, b"this is not a protocol message\\n")
                chunk = b"x" * 65536
                for _ in range(160):   # 10 MB: far more than every buffer between the runner and the agent
                    os.write(fd, chunk)
                import time
                time.sleep(60)
                """);
        assertThat(e.type()).isEqualTo(ErrorType.EXECUTION_ERROR);
        assertThat(e.getMessage()).contains("broke the runner protocol");
    }

    @Test
    void anUnexpectedMessageThenAFloodEndsTheStepWithAnError() {
        AgentException e = failsWithin(TIMEOUT, CHANNEL + """
                os.write(fd, b'{"type":"surprise"}\\n' + b'[1,2,3]\\n' * 2000000)
                """);
        assertThat(e.type()).isEqualTo(ErrorType.EXECUTION_ERROR);
        assertThat(e.getMessage()).contains("unexpected runner message type \"surprise\"");
    }

    @Test
    void aFatalMessageTheCodeForgesIsTheStepsErrorNotAnInternalOne() {
        AgentException e = failsWithin(TIMEOUT, CHANNEL + """
                os.write(fd, b'{"type":"fatal","error":{"type":"PROTOCOL_ERROR","exception":"X","message":"page the on-call"}}\\n')
                import time
                time.sleep(60)
                """);
        assertThat(e.type()).isEqualTo(ErrorType.EXECUTION_ERROR);
        assertThat(e.getMessage()).contains("page the on-call");
    }

    @Test
    void aLineThatNeverEndsIsStoppedByTheTimeLimit() {
        AgentException e = failsWithin(TIMEOUT.plusSeconds(10), CHANNEL + """
                chunk = b"y" * 65536
                for _ in range(100):
                    os.write(fd, chunk)
                import time
                time.sleep(60)
                """);
        assertThat(e.type()).isEqualTo(ErrorType.TIMEOUT);
    }

    @Test
    void forgedArtifactsAreDroppedWithANoteAndValidOnesKept() {
        SandboxOutcome out = run(CHANNEL + """
                import base64, io
                fig = plt.figure()
                plt.plot([1, 2, 3])
                buffer = io.BytesIO()
                fig.savefig(buffer, format="png")
                good = base64.b64encode(buffer.getvalue()).decode()
                sys.modules['__main__'].CHANNEL.send({"type": "result", "status": "ok",
                    "frame": {"columns": [{"name": "v", "kind": "int64", "source_type": "int64", "dtype": "int64",
                                           "buffers": [{"name": "valid", "bytes": 1}, {"name": "values", "bytes": 8}]}],
                              "row_count": 1},
                    "artifacts": [
                        {"name": "../../../../tmp/x.png", "media_type": "image/png", "width": 1, "height": 1,
                         "data_base64": "!!not base64!!"},
                        {"name": "page.html", "media_type": "text/html", "data_base64": "PGgxPmhpPC9oMT4="},
                        {"name": "fake.png", "media_type": "image/png", "data_base64": "R0lGODlhAQABAAAAACw="},
                        {"name": "figure-9.png", "media_type": "image/png", "width": 1, "height": 1, "data_base64": good}],
                    "stdout": "", "stdout_truncated": False, "stderr": "", "stderr_truncated": False, "sql_queries": 0},
                    [b"\\x01", (7).to_bytes(8, "little")])
                os._exit(0)
                """);
        assertThat(out.frame().rowCount()).isEqualTo(1);
        assertThat(out.artifacts()).singleElement().satisfies(a -> {
            assertThat(a.name()).isEqualTo("figure-9.png");
            assertThat(a.width()).isEqualTo(640);   // from the PNG itself, not the forged 1x1
            assertThat(a.height()).isEqualTo(480);
        });
        assertThat(out.stderr())
                .contains("[agent] dropped artifact \"../../../../tmp/x.png\": the name contains a path separator")
                .contains("[agent] dropped artifact \"page.html\": media type \"text/html\" is not allowed")
                .contains("[agent] dropped artifact \"fake.png\": the data is not a PNG");
    }

    /** A result message of one column {@code kind} and the given buffers, sent by the code itself, then the runner gone. */
    private static String forgedResult(String kind, String buffers, long rows, String data) {
        return CHANNEL + """
                sys.modules['__main__'].CHANNEL.send({"type": "result", "status": "ok",
                    "frame": {"columns": [{"name": "v", "kind": "%s", "source_type": "%s", "dtype": "object",
                                           "buffers": %s}], "row_count": %d},
                    "artifacts": [], "stdout": "", "stdout_truncated": False, "stderr": "", "stderr_truncated": False},
                    %s)
                os._exit(0)
                """.formatted(kind, kind, buffers, rows, data);
    }

    @Test
    void aForgedReferenceNamesOnlyAColumnOfThisStepsFramesOfItsKindAndLength() {
        FrameMeta input = fixture.frame(List.of(new FrameColumn("n", ColumnKind.INT64, "int8")),
                List.of(new Object[] {1L}, new Object[] {2L}));
        long frames = fixture.cache.stats().frames();
        String reference = CHANNEL + """
                sys.modules['__main__'].CHANNEL.send({"type": "result", "status": "ok",
                    "frame": {"columns": [{"name": "v", "kind": "%s", "source_type": "x", %s, "buffers": []}],
                              "row_count": %d},
                    "artifacts": [], "stdout": "", "stdout_truncated": False, "stderr": "", "stderr_truncated": False})
                os._exit(0)
                """;
        // No such input, no such column, another kind, another length, not a pair of integers, a sql() frame
        // never fetched, both at once, the floats of a column that is no decimal, another buffer.
        for (String forged : List.of(reference.formatted("int64", "'input': [1, 0]", 2),
                reference.formatted("int64", "'input': [0, 1]", 2), reference.formatted("string", "'input': [0, 0]", 2),
                reference.formatted("int64", "'input': [0, 0]", 3), reference.formatted("int64", "'input': [0.5, 0]", 2),
                reference.formatted("int64", "'input': '0'", 2), reference.formatted("int64", "'sql': [1, 0]", 2),
                reference.formatted("int64", "'input': [0, 0], 'sql': [1, 0]", 2),
                reference.formatted("float64", "'input': [0, 0], 'buffer': 'float'", 2),
                reference.formatted("int64", "'input': [0, 0], 'buffer': 'values'", 2))) {
            long t0 = System.nanoTime();
            AgentException e = catchThrowableOfType(AgentException.class, () -> service.execute(new SandboxJob(forged,
                    Map.of("t", input.key()), Optional.of("req-containment"))));
            assertThat(e).as(forged).isNotNull();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TIMEOUT);
            assertThat(e.type()).isEqualTo(ErrorType.EXECUTION_ERROR);
            assertThat(e.getMessage()).contains("broke the runner protocol");
        }
        assertThat(fixture.cache.stats().frames()).isEqualTo(frames);
    }

    @Test
    void forgedRowPositionsNameOnlyRowsThatTheNamedFrameHas() {
        FrameMeta input = fixture.frame(List.of(new FrameColumn("n", ColumnKind.INT64, "int8")),
                List.of(new Object[] {1L}, new Object[] {2L}));
        long frames = fixture.cache.stats().frames();
        String gather = CHANNEL + """
                import struct
                sys.modules['__main__'].CHANNEL.send({"type": "result", "status": "ok",
                    "frame": {"columns": [{"name": "v", "kind": "int64", "source_type": "x", "input": [0, 0], %s,
                                           "buffers": []}], "row_count": 2%s},
                    "artifacts": [], "stdout": "", "stdout_truncated": False, "stderr": "", "stderr_truncated": False},
                    [struct.pack('<2q', %s)])
                os._exit(0)
                """;
        // Past the frame's rows, negative, rows without positions, positions of another size or shape, not a flag.
        for (String forged : List.of(gather.formatted("'rows': True", ", 'rows': {'bytes': 16}", "1, 2"),
                gather.formatted("'rows': True", ", 'rows': {'bytes': 16}", "1, -1"),
                gather.formatted("'rows': True", "", "0, 1"),
                gather.formatted("'rows': True", ", 'rows': {'bytes': 8}", "0, 1"),
                gather.formatted("'rows': True", ", 'rows': {'bytes': 16, 'more': 1}", "0, 1"),
                gather.formatted("'rows': 'yes'", ", 'rows': {'bytes': 16}", "0, 1"))) {
            AgentException e = catchThrowableOfType(AgentException.class, () -> service.execute(new SandboxJob(forged,
                    Map.of("t", input.key()), Optional.of("req-containment"))));
            assertThat(e).as(forged).isNotNull();
            assertThat(e.type()).isEqualTo(ErrorType.EXECUTION_ERROR);
            assertThat(e.getMessage()).contains("broke the runner protocol");
        }
        assertThat(fixture.cache.stats().frames()).isEqualTo(frames);
        // The same message with rows the frame has is a frame of those rows.
        FrameMeta rows = service.execute(new SandboxJob(gather.formatted("'rows': True", ", 'rows': {'bytes': 16}", "1, 0"),
                Map.of("t", input.key()), Optional.of("req-containment"))).frame();
        assertThat(fixture.cache.previewRows(rows.key(), 5).toString()).isEqualTo("[[2], [1]]");
    }

    @Test
    void aResultOfMillionsOfJsonNodesIsAProtocolErrorNotAHeapOfThem() {
        AgentException e = failsWithin(TIMEOUT, CHANNEL + """
                sys.modules['__main__'].CHANNEL.send({"type": "result", "status": "ok", "frame": None,
                    "artifacts": [0] * 2000000, "stdout": "", "stderr": ""})
                os._exit(0)
                """);
        assertThat(e.type()).isEqualTo(ErrorType.EXECUTION_ERROR);
        assertThat(e.getMessage()).contains("broke the runner protocol");
    }

    @Test
    void aBufferSizeThatWouldWrapTheFrameLimitIsRefusedNotCopiedUntilTheDiskIsFull() {
        AgentException e = failsWithin(TIMEOUT, forgedResult("string", """
                [{"name": "valid", "bytes": 0}, {"name": "offsets", "bytes": 8},
                 {"name": "data", "bytes": 9223372036854775807}]""", 0, "[(0).to_bytes(8, 'little')]"));
        assertThat(e.type()).isEqualTo(ErrorType.RESULT_TOO_LARGE);
    }

    @Test
    void aDecimalOfMoreDigitsThanNumericHoldsIsAProtocolErrorBeforeItIsParsed() {
        AgentException e = failsWithin(TIMEOUT, forgedResult("decimal", """
                [{"name": "valid", "bytes": 1}, {"name": "offsets", "bytes": 16}, {"name": "data", "bytes": 200001}]""",
                1, "[b'\\x01', (0).to_bytes(8, 'little') + (200001).to_bytes(8, 'little'), b'7' * 200000 + b'\\x00']"));
        assertThat(e.type()).isEqualTo(ErrorType.EXECUTION_ERROR);
        assertThat(e.getMessage()).contains("broke the runner protocol").contains("digits");
    }

    @Test
    void aDateBeyondTheCalendarIsAProtocolErrorNotAnInternalOne() {
        AgentException e = failsWithin(TIMEOUT, forgedResult("date", """
                [{"name": "valid", "bytes": 1}, {"name": "values", "bytes": 8}]""",
                1, "[b'\\x01', (2**62).to_bytes(8, 'little')]"));
        assertThat(e.type()).isEqualTo(ErrorType.EXECUTION_ERROR);
        assertThat(e.getMessage()).contains("broke the runner protocol");
    }

    @Test
    void aForgedErrorIsCutToSizeAndItsOutputToTheLimit() {
        AgentException e = failsWithin(TIMEOUT, CHANNEL + """
                sys.modules['__main__'].CHANNEL.send({"type": "result", "status": "error",
                    "error": {"type": "EXECUTION_ERROR", "exception": "E" * 10000, "message": "m" * 5000000,
                              "traceback": "t" * 5000000},
                    "stdout": "o" * 5000000, "stderr": ""})
                os._exit(0)
                """);
        assertThat(e.getMessage().length()).isLessThan(20_000);
        assertThat((String) e.details().get("traceback")).hasSizeLessThan(70_000);
        assertThat((String) e.details().get("stdout")).as("the fixture keeps 4 KiB of output").hasSizeLessThan(5_000);
    }
}
