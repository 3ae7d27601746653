package dev.dea.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.frame.FrameJson;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class SchemaModelTest {
    @Test
    void referentialActionsUseSqlSpelling() {
        assertThat(List.of("a", "r", "c", "n", "d").stream().map(ForeignKeyInfo::action))
                .containsExactly("NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT");
    }

    @Test
    void relkindsMapToKindsAndOnlyHeapRelationsSample() {
        assertThat(TableKind.of('r', false)).isEqualTo(TableKind.TABLE);
        assertThat(TableKind.of('r', true)).isEqualTo(TableKind.PARTITION);
        assertThat(TableKind.of('p', true)).isEqualTo(TableKind.PARTITIONED_TABLE);
        assertThat(TableKind.of('m', false).wireName()).isEqualTo("materialized_view");
        assertThat(TableKind.VIEW.supportsTableSample()).isFalse();
        assertThat(TableKind.FOREIGN_TABLE.supportsTableSample()).isFalse();
        assertThat(TableKind.PARTITIONED_TABLE.supportsTableSample()).isTrue();
    }

    @Test
    void serverMajorVersionIsTheLeadingNumber() {
        assertThat(schema("15.4").serverMajorVersion()).isEqualTo(15);
        assertThat(schema("16beta1").serverMajorVersion()).isEqualTo(16);
        assertThat(schema("12.17 (Debian 12.17-1)").serverMajorVersion()).isEqualTo(12);
        assertThat(schema("weird").serverMajorVersion()).isZero();
    }

    @Test
    void absentOptionalsAreLeftOutOfTheJsonButEmptyListsStay() throws Exception {
        ColumnInfo id = new ColumnInfo("id", "integer", true, false, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), false, 1);
        ColumnInfo mood = new ColumnInfo("mood", "mood[]", false, true, Optional.of("'{}'::mood[]"),
                Optional.of("How it felt"), Optional.empty(), Optional.empty(), Optional.of(List.of("sad", "ok")), true, 2);
        TableInfo t = new TableInfo("t", "public", "public.t", TableKind.PARTITION, Optional.of("public.p"),
                Optional.of("FOR VALUES IN (1)"), Optional.empty(), Optional.empty(), Optional.of(10L), Optional.empty(),
                List.of(id, mood), List.of("id"), List.of(), List.of());
        DatabaseSchema s = new DatabaseSchema("postgresql", "15.4", "2024-01-01T00:00:00Z", List.of("public"),
                new SchemaContents(List.of(t), List.of(), List.of()));
        ObjectMapper mapper = FrameJson.newMapper();
        JsonNode json = mapper.readTree(mapper.writeValueAsString(s));
        JsonNode table = json.get("schema").get("tables").get(0);
        assertThat(table.fieldNames()).toIterable().containsExactly("name", "schema", "qualified_name", "kind", "parent",
                "partition_bound", "approx_row_count", "columns", "primary_key", "foreign_keys", "indexes");
        assertThat(table.get("kind").asText()).isEqualTo("partition");
        assertThat(table.get("columns").get(0).fieldNames()).toIterable()
                .containsExactly("name", "type", "is_primary_key", "nullable", "is_array", "position");
        JsonNode moodJson = table.get("columns").get(1);
        assertThat(moodJson.get("default").asText()).isEqualTo("'{}'::mood[]");
        assertThat(moodJson.get("comment").asText()).isEqualTo("How it felt");
        assertThat(moodJson.get("enum_values").get(1).asText()).isEqualTo("ok");
        assertThat(json.get("schema").get("enums").isArray()).isTrue();
        assertThat(json.has("tables")).isFalse();
    }

    private static DatabaseSchema schema(String version) {
        return new DatabaseSchema("postgresql", version, "2024-01-01T00:00:00Z", List.of(),
                new SchemaContents(List.of(), List.of(), List.of()));
    }
}
