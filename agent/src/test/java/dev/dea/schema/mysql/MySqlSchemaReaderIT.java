package dev.dea.schema.mysql;

import dev.dea.schema.ColumnInfo;
import dev.dea.schema.DatabaseSchema;
import dev.dea.schema.ForeignKeyInfo;
import dev.dea.schema.IndexInfo;
import dev.dea.schema.TableInfo;
import dev.dea.schema.TableKind;
import dev.dea.testing.TestMariaDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** MySQL/MariaDB introspection of a generated two-database schema on the machine's real MariaDB. */
class MySqlSchemaReaderIT {
    private static String shop;
    private static String archive;
    private static DatabaseSchema schema;
    private static int statements;

    @BeforeAll
    static void create() throws Exception {
        shop = TestMariaDb.freshDatabase("mysqlschema_it_shop");
        archive = TestMariaDb.freshDatabase("mysqlschema_it_archive");
        for (String sql : List.of(
                "CREATE TABLE customer (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(200) NOT NULL UNIQUE "
                        + "COMMENT 'login e-mail', country CHAR(2) NOT NULL DEFAULT 'DE', created DATETIME NOT NULL "
                        + "DEFAULT CURRENT_TIMESTAMP, score DECIMAL(5,2) DEFAULT 1.50, note TEXT) COMMENT 'people who buy'",
                "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id INT NOT NULL, "
                        + "status ENUM('new','paid','it''s shipped') NOT NULL DEFAULT 'new', "
                        + "flags SET('gift','express'), qty INT NOT NULL, price DECIMAL(10,2) NOT NULL, "
                        + "total DECIMAL(12,2) AS (qty * price) STORED, label VARCHAR(20) AS (UPPER(status)) VIRTUAL, "
                        + "attrs JSON, "
                        + "CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customer (id) "
                        + "ON DELETE CASCADE, INDEX ix_customer_status (customer_id, status DESC), "
                        + "INDEX ix_label_prefix (label(5)))",
                "CREATE VIEW paid_orders AS SELECT id, customer_id, total FROM orders WHERE status = 'paid'",
                "CREATE TABLE `order` (`select` INT PRIMARY KEY)")) {
            TestMariaDb.execute(shop, sql);
        }
        TestMariaDb.execute(archive, "CREATE TABLE old_orders (id BIGINT, customer_id INT, "
                + "PRIMARY KEY (id, customer_id), FOREIGN KEY (customer_id) REFERENCES `" + shop + "`.customer (id))");
        TestMariaDb.execute(archive, "CREATE TABLE customer (id INT PRIMARY KEY)");
        try (Connection c = TestMariaDb.connect(shop); Statement s = c.createStatement()) {
            s.execute("ANALYZE TABLE customer");
            int[] count = new int[1];
            Connection counting = (Connection) java.lang.reflect.Proxy.newProxyInstance(
                    Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, m, args) -> {
                        if (m.getName().equals("createStatement") || m.getName().equals("prepareStatement")) {
                            count[0]++;
                        }
                        return m.invoke(c, args);
                    });
            schema = new MySqlIntrospector().read(counting, Instant.parse("2026-01-01T00:00:00Z"));
            statements = count[0];
        }
    }

    @AfterAll
    static void drop() {
        TestMariaDb.drop(archive); // first: it references shop
        TestMariaDb.drop(shop);
    }

    private static TableInfo table(String db, String name) {
        return schema.tables().stream().filter(t -> t.schema().equals(db) && t.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no table " + db + "." + name));
    }

    private static ColumnInfo column(TableInfo t, String name) {
        return t.column(name).orElseThrow(() -> new AssertionError("no column " + name));
    }

    @Test
    void readsTheWholeServerInAFixedNumberOfQueries() {
        assertThat(statements).isLessThanOrEqualTo(6);
        assertThat(schema.dialect()).isEqualTo("mysql");
        assertThat(schema.serverVersion()).containsIgnoringCase("mariadb");
        assertThat(schema.searchPath()).containsExactly(shop);
    }

    @Test
    void listsEveryReadableDatabaseButTheSystemOnesWithQualifiedNames() {
        assertThat(schema.tables()).extracting(TableInfo::schema)
                .doesNotContain("mysql", "sys", "performance_schema", "information_schema");
        assertThat(table(archive, "old_orders").qualifiedName()).isEqualTo(archive + ".old_orders");
        assertThat(table(shop, "order").qualifiedName()).isEqualTo(shop + ".`order`");
        assertThat(table(shop, "paid_orders").kind()).isEqualTo(TableKind.VIEW);
        assertThat(table(shop, "paid_orders").approxRowCount()).isEmpty();
        assertThat(table(shop, "customer").kind()).isEqualTo(TableKind.TABLE);
        assertThat(table(shop, "customer").approxRowCount()).hasValue(0L);
    }

    @Test
    void columnsCarryTypesNullabilityDefaultsAndComments() {
        TableInfo customer = table(shop, "customer");
        assertThat(customer.comment()).hasValue("people who buy");
        assertThat(customer.columns()).extracting(ColumnInfo::name)
                .containsExactly("id", "email", "country", "created", "score", "note");
        assertThat(column(customer, "id").isPrimaryKey()).isTrue();
        assertThat(column(customer, "id").defaultValue()).hasValue("AUTO_INCREMENT");
        assertThat(column(customer, "email").type()).isEqualTo("varchar(200)");
        assertThat(column(customer, "email").nullable()).isFalse();
        assertThat(column(customer, "email").comment()).hasValue("login e-mail");
        assertThat(column(customer, "country").defaultValue()).hasValue("'DE'");
        assertThat(column(customer, "created").defaultValue()).hasValueSatisfying(
                d -> assertThat(d).startsWithIgnoringCase("current_timestamp"));
        assertThat(column(customer, "score").defaultValue()).hasValue("1.50");
        assertThat(column(customer, "note").nullable()).isTrue();
        assertThat(column(customer, "note").defaultValue()).isEmpty();
        assertThat(column(customer, "note").position()).isEqualTo(6);
    }

    @Test
    void enumSetGeneratedAndJsonColumnsAreDescribed() {
        TableInfo orders = table(shop, "orders");
        assertThat(column(orders, "status").enumValues()).hasValue(List.of("new", "paid", "it's shipped"));
        assertThat(column(orders, "status").defaultValue()).hasValue("'new'");
        assertThat(column(orders, "flags").enumValues()).hasValue(List.of("gift", "express"));
        assertThat(column(orders, "total").defaultValue()).hasValueSatisfying(d -> assertThat(d)
                .startsWith("GENERATED ALWAYS AS (").contains("qty").endsWith(") STORED"));
        assertThat(column(orders, "label").defaultValue()).hasValueSatisfying(d -> assertThat(d).endsWith(") VIRTUAL"));
        assertThat(column(orders, "attrs").type()).isEqualTo("json");
        assertThat(column(orders, "attrs").baseType()).hasValue("longtext");
    }

    @Test
    void keysAndIndexesIncludingCompositeAndCrossDatabase() {
        TableInfo orders = table(shop, "orders");
        assertThat(orders.primaryKey()).containsExactly("id");
        assertThat(orders.foreignKeys()).containsExactly(new ForeignKeyInfo("fk_orders_customer",
                List.of("customer_id"), shop + ".customer", List.of("id"), "CASCADE", "RESTRICT"));
        IndexInfo composite = orders.indexes().stream().filter(i -> i.name().equals("ix_customer_status"))
                .findFirst().orElseThrow();
        assertThat(composite.columns()).hasSize(2).first().isEqualTo("customer_id");
        assertThat(composite.unique()).isFalse();
        assertThat(composite.method()).isEqualTo("btree");
        assertThat(composite.definition()).startsWith("CREATE INDEX ix_customer_status ON " + shop + ".orders (");
        assertThat(orders.indexes()).filteredOn(i -> i.name().equals("ix_label_prefix"))
                .singleElement().satisfies(i -> assertThat(i.columns()).containsExactly("label(5)"));
        assertThat(orders.indexes()).first().satisfies(i -> assertThat(i.primary()).isTrue());
        assertThat(table(shop, "customer").indexes()).filteredOn(i -> i.name().equals("email"))
                .singleElement().satisfies(i -> assertThat(i.unique()).isTrue());

        TableInfo old = table(archive, "old_orders");
        assertThat(old.primaryKey()).containsExactly("id", "customer_id");
        assertThat(old.foreignKeys()).singleElement().satisfies(fk -> {
            assertThat(fk.referencesTable()).isEqualTo(shop + ".customer");
            assertThat(fk.onDelete()).isEqualTo("RESTRICT");
        });
    }
}
