package dev.dea.schema.mysql;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The catalog text the MySQL reader interprets, for the server spellings MariaDB on this machine cannot show. */
class MySqlCatalogTextTest {
    private static final ServerProduct MYSQL8 = ServerProduct.parse("8.0.36");
    private static final ServerProduct MARIADB = ServerProduct.parse("10.11.19-MariaDB-0+deb12u1");

    @Test
    void serverProductAndVersionDecideTheCatalogDialect() {
        assertThat(MARIADB).isEqualTo(new ServerProduct(true, 10, 11, 19));
        assertThat(ServerProduct.parse("5.5.5-10.6.12-MariaDB")).isEqualTo(new ServerProduct(true, 10, 6, 12));
        assertThat(MYSQL8.mariaDb()).isFalse();
        assertThat(MYSQL8.hasIndexExpressions()).isTrue();
        assertThat(MARIADB.hasIndexExpressions()).isFalse();
        assertThat(MARIADB.defaultsAreSql()).isTrue();
        assertThat(ServerProduct.parse("10.2.6-MariaDB").defaultsAreSql()).isFalse();
        assertThat(ServerProduct.parse("8.0.15").hasCheckConstraints()).isFalse();
        assertThat(MySqlCatalogQueries.checks(MARIADB)).contains("CHECK_CONSTRAINTS").doesNotContain("TABLE_CONSTRAINTS");
        assertThat(MySqlCatalogQueries.checks(MYSQL8)).contains("TABLE_CONSTRAINTS");
    }

    @Test
    void mysqlBareDefaultsBecomeSqlLiteralsLikeMariaDbs() {
        assertThat(MySqlIntrospector.defaultOf(MYSQL8, "char", "DE", "", null)).isEqualTo("'DE'");
        assertThat(MySqlIntrospector.defaultOf(MYSQL8, "varchar", "it's", "", null)).isEqualTo("'it''s'");
        assertThat(MySqlIntrospector.defaultOf(MYSQL8, "decimal", "1.50", "", null)).isEqualTo("1.50");
        assertThat(MySqlIntrospector.defaultOf(MYSQL8, "datetime", "CURRENT_TIMESTAMP", "DEFAULT_GENERATED", ""))
                .isEqualTo("CURRENT_TIMESTAMP");
        assertThat(MySqlIntrospector.defaultOf(MYSQL8, "varchar", null, "", null)).isNull();
        assertThat(MySqlIntrospector.defaultOf(MARIADB, "char", "'DE'", "", null)).isEqualTo("'DE'");
        assertThat(MySqlIntrospector.defaultOf(MARIADB, "text", "NULL", "", null)).isNull();
        assertThat(MySqlIntrospector.defaultOf(MYSQL8, "int", null, "auto_increment", null)).isEqualTo("AUTO_INCREMENT");
        assertThat(MySqlIntrospector.defaultOf(MYSQL8, "int", null, "STORED GENERATED", "(`a` * 2)"))
                .isEqualTo("GENERATED ALWAYS AS ((`a` * 2)) STORED");
        assertThat(MySqlIntrospector.defaultOf(MARIADB, "int", null, "PERSISTENT GENERATED", "`a` * 2"))
                .isEqualTo("GENERATED ALWAYS AS (`a` * 2) STORED");
    }

    @Test
    void enumAndSetValuesAreUnescapedAndNamesQuotedOnlyWhenNeeded() {
        assertThat(MySqlNames.enumValues("enum('a','it''s','back\\\\slash','')"))
                .containsExactly("a", "it's", "back\\slash", "");
        assertThat(MySqlNames.enumValues("set('x,y','z')")).containsExactly("x,y", "z");
        assertThat(MySqlNames.quote("customer")).isEqualTo("customer");
        assertThat(MySqlNames.quote("order")).isEqualTo("`order`");
        assertThat(MySqlNames.quote("my table")).isEqualTo("`my table`");
        assertThat(MySqlNames.quote("a`b")).isEqualTo("`a``b`");
        assertThat(MySqlNames.qualified("shop", "Order")).isEqualTo("shop.`Order`");
    }
}
