package dev.dea.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.frame.FrameJson;
import dev.dea.schema.ColumnInfo;
import dev.dea.schema.DatabaseSchema;
import dev.dea.schema.ForeignKeyInfo;
import dev.dea.schema.SchemaContents;
import dev.dea.schema.TableInfo;
import dev.dea.schema.TableKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class SchemaDigestTest {
    private final SchemaDigest digest = new SchemaDigest(FrameJson.newMapper());

    private static ColumnInfo column(String name, String type, boolean pk, boolean nullable) {
        return new ColumnInfo(name, type, pk, nullable, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), false, 1);
    }

    private static ForeignKeyInfo fk(String column, String table) {
        return new ForeignKeyInfo(column + "_fkey", List.of(column), table, List.of(column), "NO ACTION", "NO ACTION");
    }

    private static TableInfo table(String name, TableKind kind, Optional<String> parent, List<ColumnInfo> columns,
                                   List<ForeignKeyInfo> fks) {
        return new TableInfo(name, "public", "public." + name, kind, parent, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(100L), Optional.empty(), columns, List.of(), fks, List.of());
    }

    private static DatabaseSchema schema(List<TableInfo> tables) {
        return new DatabaseSchema("postgresql", "16.4", "2026-11-21T10:00:00Z", List.of("public"),
                new SchemaContents(tables, List.of(), List.of()));
    }

    @Test
    void writesOneLinePerColumnAndForeignKey() {
        ColumnInfo status = new ColumnInfo("status", "order_status", false, true, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.of(List.of("new", "paid")), false, 3);
        JsonNode orders = digest.overview(schema(List.of(table("orders", TableKind.TABLE, Optional.empty(),
                List.of(column("id", "integer", true, false), column("customer_id", "integer", false, false), status),
                List.of(fk("customer_id", "public.customer")))))).path("tables").get(0);
        assertThat(orders.path("name").asText()).isEqualTo("public.orders");
        assertThat(orders.path("approx_rows").asLong()).isEqualTo(100);
        assertThat(orders.path("columns").toString())
                .isEqualTo("[\"id integer PK\",\"customer_id integer NOT NULL\",\"status order_status enum(new,paid)\"]");
        assertThat(orders.path("foreign_keys").get(0).asText()).isEqualTo("customer_id -> public.customer(customer_id)");
    }

    @Test
    void foldsPartitionsIntoTheirParentWithTheirForeignKeys() {
        List<ColumnInfo> cols = List.of(column("id", "integer", false, false));
        JsonNode out = digest.overview(schema(List.of(
                table("payment", TableKind.PARTITIONED_TABLE, Optional.empty(), cols, List.of()),
                table("payment_p1", TableKind.PARTITION, Optional.of("public.payment"), cols,
                        List.of(fk("customer_id", "public.customer"), fk("staff_id", "public.staff"))),
                table("payment_p2", TableKind.PARTITION, Optional.of("public.payment"), cols,
                        List.of(fk("customer_id", "public.customer"))))));
        assertThat(out.path("table_count").asInt()).isEqualTo(1);
        JsonNode payment = out.path("tables").get(0);
        assertThat(payment.path("partitions").asInt()).isEqualTo(2);
        assertThat(payment.has("foreign_keys")).isFalse();
        assertThat(payment.path("partition_foreign_keys").toString()).isEqualTo(
                "[\"customer_id -> public.customer(customer_id)\",\"staff_id -> public.staff(staff_id)\"]");
    }

    @Test
    void listsOnlyNamesPastTheDetailLimit() {
        List<TableInfo> tables = new ArrayList<>();
        for (int i = 0; i <= SchemaDigest.MAX_DETAILED_TABLES; i++) {
            tables.add(table("t" + i, TableKind.TABLE, Optional.empty(), List.of(column("id", "integer", true, false)), List.of()));
        }
        JsonNode out = digest.overview(schema(tables));
        assertThat(out.path("tables").get(0).asText()).isEqualTo("public.t0");
        assertThat(out.path("note").asText()).contains("describe_schema", "'table'");
    }

    @Test
    void oneTableIsTheFullSchemaEntry() {
        JsonNode t = digest.table(table("film", TableKind.TABLE, Optional.empty(), List.of(column("id", "integer", true, false)), List.of()));
        assertThat(t.path("qualified_name").asText()).isEqualTo("public.film");
        assertThat(t.path("columns").get(0).path("is_primary_key").asBoolean()).isTrue();
    }
}
