package dev.dea.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.cache.ColumnLayout;
import dev.dea.cache.ColumnMeta;
import dev.dea.cache.FrameMeta;
import dev.dea.cache.Provenance;
import dev.dea.frame.ColumnKind;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The meta and buffers the runner gets of a frame: a float step's decimals without their text. */
class RunnerFramesTest {
    private static final List<ColumnMeta.Buffer> DECIMAL = List.of(new ColumnMeta.Buffer(ColumnLayout.VALID, 2),
            new ColumnMeta.Buffer(ColumnLayout.OFFSETS, 24), new ColumnMeta.Buffer(ColumnLayout.DATA, 9),
            new ColumnMeta.Buffer(ColumnLayout.FLOAT, 16));

    private static final FrameMeta FRAME = new FrameMeta("k", List.of(
            new ColumnMeta("price", ColumnKind.DECIMAL, "numeric(12,2)", "object", Map.of("null_count", 1L), DECIMAL),
            new ColumnMeta("id", ColumnKind.DECIMAL, "bigint unsigned", "object", Map.of("null_count", 0L), DECIMAL),
            new ColumnMeta("n", ColumnKind.INT64, "int8", "int64", Map.of("distinct_count", 2L), List.of(
                    new ColumnMeta.Buffer(ColumnLayout.VALID, 2), new ColumnMeta.Buffer(ColumnLayout.VALUES, 16)))),
            2, 91, false, Instant.EPOCH, Provenance.sql("SELECT 1", Optional.empty()));

    private static List<List<String>> buffers(JsonNode meta) {
        List<List<String>> out = new ArrayList<>();
        for (JsonNode column : meta.path("columns")) {
            List<String> names = new ArrayList<>();
            column.path("buffers").forEach(b -> names.add(b.path("name").asText()));
            out.add(names);
        }
        return out;
    }

    @Test
    void aStepThatLoadsDecimalsAsFloatsGetsTheirFloatsWithoutTheText() {
        JsonNode meta = RunnerFrames.meta(FRAME, RunnerFrames.buffers(false));
        assertThat(buffers(meta)).containsExactly(List.of("valid", "float"),
                List.of("valid", "offsets", "data", "float"), List.of("valid", "values"));
        assertThat(meta.path("columns").get(0).path("buffers").get(1).path("bytes").asLong()).isEqualTo(16);
        assertThat(meta.path("row_count").asLong()).isEqualTo(2);
        assertThat(meta.path("columns").get(0).path("stats").path("null_count").asLong()).isEqualTo(1);
        assertThat(meta.path("columns").get(2).path("stats").path("distinct_count").asLong()).isEqualTo(2);
    }

    @Test
    void aStepOrCursorThatReadsExactDecimalsGetsEveryBuffer() {
        List<List<String>> every = List.of(List.of("valid", "offsets", "data", "float"),
                List.of("valid", "offsets", "data", "float"), List.of("valid", "values"));
        assertThat(buffers(RunnerFrames.meta(FRAME, RunnerFrames.buffers(true)))).isEqualTo(every);
    }
}
