package dev.dea.schema;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableNameResolverTest {
    private static final List<String> PATH = List.of("public");

    static TableInfo table(String schema, String name, String qualified) {
        return new TableInfo(name, schema, qualified, TableKind.TABLE, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(), List.of(), List.of(),
                List.of());
    }

    private static final TableInfo FILM = table("public", "film", "public.film");
    private static final TableInfo SALES_ORDERS = table("sales", "orders", "sales.orders");
    private static final TableInfo ARCHIVE_ORDERS = table("archive", "orders", "archive.orders");
    private static final TableInfo PUBLIC_ITEMS = table("public", "items", "public.items");
    private static final TableInfo ARCHIVE_ITEMS = table("archive", "items", "archive.items");
    private static final TableInfo MIXED = table("public", "Album", "public.\"Album\"");
    private static final TableInfo LOWER = table("public", "album", "public.album");
    private static final TableInfo DOTTED = table("public", "a.b", "public.\"a.b\"");
    private static final TableInfo QUOTED = table("public", "say \"hi\"", "public.\"say \"\"hi\"\"\"");
    private static final List<TableInfo> ALL = List.of(FILM, SALES_ORDERS, ARCHIVE_ORDERS, PUBLIC_ITEMS, ARCHIVE_ITEMS,
            MIXED, LOWER, DOTTED, QUOTED);

    private static TableInfo resolve(String name) {
        return TableNameResolver.resolve(name, ALL, PATH);
    }

    @Test
    void parsesPlainQualifiedAndQuotedParts() {
        assertThat(TableNameResolver.parse("film")).containsExactly(new TableNameResolver.Part("film", false));
        assertThat(TableNameResolver.parse(" public . Film ")).containsExactly(
                new TableNameResolver.Part("public", false), new TableNameResolver.Part("Film", false));
        assertThat(TableNameResolver.parse("\"My \"\"Big\"\" Table\"")).containsExactly(
                new TableNameResolver.Part("My \"Big\" Table", true));
        assertThat(TableNameResolver.parse("\"a.b\".\"c\"")).containsExactly(
                new TableNameResolver.Part("a.b", true), new TableNameResolver.Part("c", true));
    }

    @Test
    void acceptsMySqlBacktickQuotes() {
        assertThat(TableNameResolver.parse("`shop`.`my ``odd`` table`")).containsExactly(
                new TableNameResolver.Part("shop", true), new TableNameResolver.Part("my `odd` table", true));
        assertThat(TableNameResolver.parse("shop.`order`")).containsExactly(
                new TableNameResolver.Part("shop", false), new TableNameResolver.Part("order", true));
        assertThatThrownBy(() -> TableNameResolver.parse("x`y")).isInstanceOf(AgentException.class);
        assertThatThrownBy(() -> TableNameResolver.parse("`unclosed")).isInstanceOf(AgentException.class);
        // A MySQL database plays the schema's part: the connection's database is the search path.
        assertThat(TableNameResolver.resolve("`archive`.`items`", ALL, List.of("public"))).isSameAs(ARCHIVE_ITEMS);
        assertThat(TableNameResolver.resolve("items", ALL, List.of("archive"))).isSameAs(ARCHIVE_ITEMS);
    }

    @Test
    void rejectsMalformedNamesAsValidationErrors() {
        for (String bad : List.of("", "  ", "\"unclosed", "a..b", ".a", "a.", "a.b.c", "x\"y", "\"a\"b")) {
            assertThatThrownBy(() -> TableNameResolver.parse(bad)).as(bad)
                    .isInstanceOfSatisfying(AgentException.class,
                            e -> assertThat(e.type()).isEqualTo(ErrorType.VALIDATION_ERROR));
        }
        assertThatThrownBy(() -> TableNameResolver.parse(null)).isInstanceOf(AgentException.class);
    }

    @Test
    void resolvesExactQualifiedAndQuotedNames() {
        assertThat(resolve("film")).isSameAs(FILM);
        assertThat(resolve("public.film")).isSameAs(FILM);
        assertThat(resolve("\"public\".\"film\"")).isSameAs(FILM);
        assertThat(resolve("\"a.b\"")).isSameAs(DOTTED);
        assertThat(resolve("public.\"a.b\"")).isSameAs(DOTTED);
        assertThat(resolve(QUOTED.qualifiedName())).isSameAs(QUOTED);
    }

    @Test
    void anExactSpellingWinsOverFoldingAndFoldingOverCaseInsensitivity() {
        assertThat(resolve("Album")).isSameAs(MIXED);
        assertThat(resolve("album")).isSameAs(LOWER);
        assertThat(resolve("\"Album\"")).isSameAs(MIXED);
        assertThat(resolve("ALBUM")).isSameAs(LOWER);
        assertThat(resolve("FILM")).isSameAs(FILM);
        assertThat(resolve("Public.Film")).isSameAs(FILM);
        assertThatThrownBy(() -> resolve("\"FILM\""))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.NOT_FOUND));
    }

    @Test
    void theSearchPathDecidesBeforeOtherSchemas() {
        assertThat(resolve("items")).isSameAs(PUBLIC_ITEMS);
        assertThat(TableNameResolver.resolve("items", ALL, List.of("archive", "public"))).isSameAs(ARCHIVE_ITEMS);
        assertThat(TableNameResolver.resolve("orders", ALL, List.of("sales"))).isSameAs(SALES_ORDERS);
        assertThat(TableNameResolver.resolve("film", ALL, List.of())).isSameAs(FILM);
    }

    @Test
    void aBareNameInSeveralSchemasOffThePathIsAmbiguous() {
        assertThatThrownBy(() -> resolve("orders"))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.type()).isEqualTo(ErrorType.VALIDATION_ERROR);
                    assertThat(e.getMessage()).contains("ambiguous", "archive.orders", "sales.orders");
                    assertThat(e.details()).containsEntry("candidates", List.of("archive.orders", "sales.orders"));
                });
        assertThat(resolve("sales.orders")).isSameAs(SALES_ORDERS);
    }

    @Test
    void unknownNamesAreNotFoundWithNearbySuggestions() {
        assertThatThrownBy(() -> resolve("flim"))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.type()).isEqualTo(ErrorType.NOT_FOUND);
                    assertThat(e.getMessage()).contains("'flim'", "did you mean", "public.film");
                });
        assertThatThrownBy(() -> resolve("zzzzzzzz"))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.type()).isEqualTo(ErrorType.NOT_FOUND);
                    assertThat(e.details()).isEmpty();
                });
        String longName = "x".repeat(1_000);
        assertThatThrownBy(() -> resolve(longName))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.getMessage()).hasSizeLessThan(400));
    }

    @Test
    void editDistanceCountsSingleCharacterEdits() {
        assertThat(TableNameResolver.editDistance("film", "flim")).isEqualTo(2);
        assertThat(TableNameResolver.editDistance("film", "films")).isEqualTo(1);
        assertThat(TableNameResolver.editDistance("film", "film")).isZero();
    }
}
