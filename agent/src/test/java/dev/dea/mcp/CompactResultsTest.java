package dev.dea.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.cache.ColumnMeta;
import dev.dea.cache.FrameMeta;
import dev.dea.cache.Provenance;
import dev.dea.execute.ExecutionResult;
import dev.dea.execute.ResultColumn;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameJson;
import dev.dea.execute.ResultArtifact;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class CompactResultsTest {
    private final ObjectMapper mapper = FrameJson.newMapper();
    private final CompactResults compact = new CompactResults(mapper);

    private static ExecutionResult result(List<?> rows, Optional<ExecutionResult.PythonOutput> python) {
        var column = new ResultColumn("amount", "object", "numeric", "decimal", Map.of("count", 3));
        var meta = new ExecutionResult.Metadata(12.5, 3, rows.size(), rows.size() < 3, false, List.of(column),
                List.of("payment"), List.of());
        return new ExecutionResult("success", meta, new ExecutionResult.Data(List.of("amount"), rows), Optional.of("k-1"), true, python);
    }

    @Test
    void flattensAnExecutionKeepingTheApisValueEncoding() {
        JsonNode out = compact.execution(result(List.<Object[]>of(new Object[]{new BigDecimal("1.50")}), Optional.empty()));
        assertThat(out.path("cache_key").asText()).isEqualTo("k-1");
        assertThat(out.path("row_count").asLong()).isEqualTo(3);
        assertThat(out.path("truncated").asBoolean()).isTrue();
        assertThat(out.path("tables_read").toString()).isEqualTo("[\"payment\"]");
        assertThat(out.has("parent_keys")).isFalse();
        assertThat(out.path("columns").get(0).path("sql_type").asText()).isEqualTo("numeric");
        assertThat(out.path("rows").toString()).isEqualTo("[[\"1.50\"]]");
        assertThat(out.has("stdout")).isFalse();
    }

    @Test
    void pythonOutputIsCutAndArtifactsAreListedByKeyWithoutTheirData() {
        String key = "0b7e2c1a-4f3d-4c2b-9a8e-1d2c3b4a5f60";
        var py = new ExecutionResult.PythonOutput("x".repeat(CompactResults.MAX_OUTPUT_CHARS + 10), "", false, false,
                List.of(new ResultArtifact(key, "figure_1.png", "image/png", 8, "/artifacts/" + key, "figure",
                                Optional.of(200), Optional.of(150), Optional.of("iVBORw0KGgo=")),
                        new ResultArtifact(key.replace('0', '1'), "out.csv", "text/csv", 4, "/artifacts/x", "file",
                                Optional.empty(), Optional.empty(), Optional.empty())));
        JsonNode out = compact.execution(result(List.of(), Optional.of(py)));
        assertThat(out.path("stdout").asText()).endsWith("…[+10 chars]");
        assertThat(out.path("figures")).hasSize(1);
        assertThat(out.path("figures").get(0).path("width").asInt()).isEqualTo(200);
        assertThat(out.path("artifacts")).hasSize(2);
        assertThat(out.path("artifacts").get(1).path("name").asText()).isEqualTo("out.csv");
        assertThat(out.path("artifacts").get(1).path("media_type").asText()).isEqualTo("text/csv");
        assertThat(out.path("artifacts").get(1).path("size_bytes").asLong()).isEqualTo(4);
        assertThat(out.path("artifacts").get(0).path("key").asText()).isEqualTo(key);
        assertThat(out.toString()).doesNotContain("iVBORw0KGgo");
    }

    @Test
    void aPythonStepThatOnlyPrintedSaysNoFrameWasMade() {
        var py = new ExecutionResult.PythonOutput("42\n", "", false, false, List.of());
        var meta = new ExecutionResult.Metadata(3.0, 0, 0, false, false, List.of(), List.of(), List.of());
        JsonNode out = compact.execution(new ExecutionResult("success", meta, new ExecutionResult.Data(List.of(), List.of()),
                Optional.empty(), false, Optional.of(py)));
        assertThat(out.path("frame_created").asBoolean(true)).isFalse();
        assertThat(out.path("cache_key").isNull()).isTrue();
        assertThat(out.path("stdout").asText()).isEqualTo("42\n");
    }

    @Test
    void cutsLongTextAndLongJsonCellsButKeepsShortOnes() {
        assertThat(compact.clipCell(mapper.getNodeFactory().textNode("short")).asText()).isEqualTo("short");
        String cut = compact.clipCell(mapper.getNodeFactory().textNode("y".repeat(250))).asText();
        assertThat(cut).startsWith("y".repeat(CompactResults.MAX_CELL_CHARS)).endsWith("…[+50 chars]");
        var array = mapper.createArrayNode();
        for (int i = 0; i < 100; i++) {
            array.add(123456);
        }
        assertThat(compact.clipCell(array).isTextual()).isTrue();
        assertThat(compact.clipCell(mapper.getNodeFactory().numberNode(5)).asInt()).isEqualTo(5);
    }

    @Test
    void describesAFrameWithItsProvenance() {
        var meta = new FrameMeta("k-2", List.of(new ColumnMeta("n", ColumnKind.INT64, "int8", "int64", Map.of("count", 2))),
                2, 64, false, Instant.parse("2026-11-21T10:00:00Z"),
                Provenance.python("result_df = input_data['a']", List.of("k-1"), Optional.of("req-1")));
        JsonNode out = compact.frame(meta, List.of(mapper.createArrayNode().add(1)));
        assertThat(out.path("truncated").asBoolean()).isTrue();
        assertThat(out.path("provenance").path("parent_keys").toString()).isEqualTo("[\"k-1\"]");
        assertThat(out.path("columns").get(0).path("type").asText()).isEqualTo("int64");
        assertThat(out.path("rows").toString()).isEqualTo("[[1]]");
    }
}
