package dev.dea.profile.mysql;

import dev.dea.config.SchemaConfig;
import dev.dea.profile.ColumnProfile;
import dev.dea.profile.DistributionMode;
import dev.dea.profile.HistogramBucket;
import dev.dea.profile.TableProfile;
import dev.dea.profile.TopValue;
import dev.dea.schema.DatabaseSchema;
import dev.dea.schema.TableInfo;
import dev.dea.schema.mysql.MySqlIntrospector;
import dev.dea.testing.TestMariaDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** MySQL/MariaDB profiles against the real MariaDB, every number checked against SQL of its own. */
class MySqlProfilerIT {
    private static final SchemaConfig EXACT = new SchemaConfig(Duration.ofMinutes(5), 1_000_000, 100_000);
    private static String db;

    @BeforeAll
    static void create() {
        db = TestMariaDb.freshDatabase("mysqlschema_it_profile");
        TestMariaDb.execute(db, """
                CREATE TABLE item (id INT PRIMARY KEY, qty INT, price DECIMAL(8,2) NOT NULL, weight DOUBLE,
                  name VARCHAR(50), color ENUM('red','green','blue'), tags SET('new','sale'), added DATE,
                  seen DATETIME, doc JSON, blob_col BLOB)
                """);
        TestMariaDb.execute(db, """
                INSERT INTO item
                SELECT seq, IF(seq % 10 = 0, NULL, seq % 7), (seq % 5) + 0.99, seq / 4, CONCAT('item ', seq),
                       ELT(1 + seq % 3, 'red', 'green', 'blue'), IF(seq % 2 = 0, 'new,sale', 'new'),
                       DATE_ADD('2024-01-01', INTERVAL seq DAY), TIMESTAMP('2024-01-01 10:00:00') + INTERVAL seq HOUR,
                       JSON_OBJECT('n', seq), UNHEX(REPEAT('AB', seq % 4))
                FROM seq_1_to_200
                """);
        TestMariaDb.execute(db, "CREATE TABLE big (id INT PRIMARY KEY, v INT, w VARCHAR(10))");
        TestMariaDb.execute(db, "INSERT INTO big SELECT seq, seq % 100, CONCAT('w', seq % 3) FROM seq_1_to_50000");
        TestMariaDb.execute(db, "CREATE TABLE nokey (v INT)");
        TestMariaDb.execute(db, "INSERT INTO nokey SELECT seq FROM seq_1_to_20000");
        TestMariaDb.execute(db, "CREATE TABLE ubig (id BIGINT UNSIGNED PRIMARY KEY, v INT)");
        TestMariaDb.execute(db, "INSERT INTO ubig SELECT 18446744073709531615 + seq, seq % 10 FROM seq_1_to_20000");
        TestMariaDb.execute(db, "CREATE TABLE uuid_t (id CHAR(36) PRIMARY KEY, v INT)");
        TestMariaDb.execute(db, "INSERT INTO uuid_t SELECT UUID(), seq % 100 FROM seq_1_to_60000");
        TestMariaDb.execute(db, "CREATE TABLE bin_t (id BINARY(16) PRIMARY KEY, v INT)");
        TestMariaDb.execute(db, "INSERT INTO bin_t SELECT UNHEX(MD5(seq)), seq % 10 FROM seq_1_to_20000");
        TestMariaDb.execute(db, "CREATE TABLE ord_t (id VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_bin PRIMARY KEY, "
                + "v INT)");
        TestMariaDb.execute(db, "INSERT INTO ord_t SELECT CONCAT('ORD-', CHAR(65 + seq % 26), LPAD(seq, 6, '0')), seq % 10 "
                + "FROM seq_1_to_20000");
        TestMariaDb.execute(db, "CREATE TABLE pair (a INT, b INT, v INT, PRIMARY KEY (a, b))");
        TestMariaDb.execute(db, "INSERT INTO pair SELECT seq % 7, seq, seq % 10 FROM seq_1_to_20000");
        TestMariaDb.execute(db, "CREATE TABLE order_line (order_id INT, line INT, v INT, PRIMARY KEY (order_id, line))");
        TestMariaDb.execute(db, "INSERT INTO order_line SELECT seq DIV 4, seq % 4, seq % 10 FROM seq_1_to_20000");
        // Keys that would break a quoted literal: a 4-byte character, a quote and a backslash in the common prefix.
        TestMariaDb.execute(db, "CREATE TABLE odd_key (k VARCHAR(20) CHARACTER SET utf8mb4 PRIMARY KEY, v INT)");
        TestMariaDb.execute(db, "INSERT INTO odd_key SELECT CONCAT(_utf8mb4 X'F09F9880', '''\\\\', LPAD(seq, 6, '0')), "
                + "seq % 10 FROM seq_1_to_20000");
        // Under utf8mb4_bin every upper-case key sorts before every lower-case one; v tells them apart.
        TestMariaDb.execute(db, "CREATE TABLE cased (k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PRIMARY KEY, v INT)");
        TestMariaDb.execute(db, "INSERT INTO cased SELECT CONCAT(ELT(1 + seq % 2, 'K', 'k'), LPAD(seq, 6, '0')), seq % 2 "
                + "FROM seq_1_to_20000");
        TestMariaDb.execute(db, "ANALYZE TABLE item, big, nokey, ubig, uuid_t, bin_t, ord_t, pair, order_line, odd_key, cased");
        TestMariaDb.execute(db, "CREATE VIEW big_view AS SELECT id, v FROM big");
        TestMariaDb.execute(db, "CREATE TABLE empty_t (id INT PRIMARY KEY, s VARCHAR(5), d DATE)");
        TestMariaDb.execute(db, "CREATE TABLE odd (t TIME, flag BIT(3), nothing INT, `we``ird name` INT, n INT NOT NULL)");
        TestMariaDb.execute(db, "INSERT INTO odd VALUES ('10:00:00', b'101', NULL, 1, 5), ('-01:30:00', b'001', NULL, 2, 5)");
    }

    @AfterAll
    static void drop() {
        TestMariaDb.drop(db);
    }

    private static TableProfile profile(String table, SchemaConfig config, DistributionMode mode) throws SQLException {
        return profileOnOneConnection(db, table, config, mode);
    }

    /** {@code database.table}'s profile straight from the profiler, on one read-only connection (no spare). */
    static TableProfile profileOnOneConnection(String database, String table, SchemaConfig config, DistributionMode mode)
            throws SQLException {
        try (Connection c = TestMariaDb.connect(database)) {
            c.setReadOnly(true);
            DatabaseSchema schema = new MySqlIntrospector().read(c, Instant.now());
            TableInfo t = schema.tables().stream().filter(x -> x.schema().equals(database) && x.name().equals(table))
                    .findFirst().orElseThrow();
            return new MySqlTableProfiler(config).profile(c, t, schema, mode);
        }
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = TestMariaDb.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String text(String sql) throws SQLException {
        try (Connection c = TestMariaDb.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void smallTableStatisticsAreExactAndAgreeWithSql() throws SQLException {
        TableProfile p = profile("item", EXACT, DistributionMode.AUTO);
        assertThat(p.sampled()).isFalse();
        assertThat(p.sample()).isEmpty();
        assertThat(p.tableName()).isEqualTo(db + ".item");
        assertThat(p.rowCount()).isEqualTo(200);

        ColumnProfile qty = p.column("qty").orElseThrow();
        assertThat(qty.nullCount()).hasValue(count("SELECT COUNT(*) FROM item WHERE qty IS NULL"));
        assertThat(qty.distinctCount()).hasValue(count("SELECT COUNT(DISTINCT qty) FROM item"));
        assertThat(qty.distinctCountEstimated()).isEmpty();
        assertThat(qty.min()).hasValue(0L);
        assertThat(qty.max()).hasValue(6L);
        assertThat((Double) qty.mean().orElseThrow()).isCloseTo(Double.parseDouble(text("SELECT AVG(qty) FROM item")),
                within(1e-4)); // AVG has div_precision_increment (4) decimals
        assertThat(qty.quantilesMethod()).hasValue("exact");
        List<TopValue> top = qty.topValues().orElseThrow();
        assertThat(top.get(0).count()).isEqualTo(count("SELECT COUNT(*) FROM item WHERE qty IS NOT NULL "
                + "GROUP BY qty ORDER BY COUNT(*) DESC, qty LIMIT 1"));
        List<HistogramBucket> histogram = qty.histogram().orElseThrow();
        assertThat(histogram).hasSize(10);
        assertThat(histogram.stream().mapToLong(HistogramBucket::count).sum()).isEqualTo(180);
        assertThat(histogram.get(0).count()).isEqualTo(count("SELECT COUNT(*) FROM item WHERE qty >= 0 AND qty < 0.6"));
        assertThat(histogram.get(9).count()).isEqualTo(count("SELECT COUNT(*) FROM item WHERE qty >= 5.4"));

        ColumnProfile price = p.column("price").orElseThrow();
        assertThat(price.min()).hasValue("0.99");
        assertThat(price.max()).hasValue("4.99");
        assertThat(price.quantiles()).hasValueSatisfying(q -> assertThat(q.p50()).isEqualTo("2.99"));

        ColumnProfile weight = p.column("weight").orElseThrow();
        assertThat(weight.quantiles()).hasValueSatisfying(q -> assertThat(q.p25()).isEqualTo(12.5));

        ColumnProfile name = p.column("name").orElseThrow();
        assertThat(name.minLength()).hasValue(count("SELECT MIN(CHAR_LENGTH(name)) FROM item"));
        assertThat(name.maxLength()).hasValue(count("SELECT MAX(CHAR_LENGTH(name)) FROM item"));
        assertThat(name.distinctCount()).hasValue(200L);
        assertThat(name.topValues()).isEmpty(); // every value unique: examples instead
        assertThat(name.distinctExamples()).hasValueSatisfying(e -> assertThat(e).hasSize(5));

        ColumnProfile color = p.column("color").orElseThrow();
        assertThat(color.topValues().orElseThrow()).extracting(TopValue::value)
                .containsExactlyInAnyOrder("red", "green", "blue");
        ColumnProfile tags = p.column("tags").orElseThrow();
        assertThat(tags.min()).isEmpty();
        assertThat(tags.topValues().orElseThrow()).extracting(TopValue::value).containsExactly("new", "new,sale");

        ColumnProfile added = p.column("added").orElseThrow();
        assertThat(added.min()).hasValue("2024-01-02");
        assertThat(added.histogram().orElseThrow().get(0).bucketStart()).isEqualTo("2024-01-02");
        ColumnProfile seen = p.column("seen").orElseThrow();
        assertThat(seen.min()).hasValue("2024-01-01T11:00:00");
        assertThat(seen.histogram().orElseThrow().get(9).bucketEnd()).isEqualTo(seen.max().orElseThrow());
    }

    @Test
    void emptyTablesAllNullColumnsAndOddTypesStillProfile() throws SQLException {
        TableProfile empty = profile("empty_t", EXACT, DistributionMode.AUTO);
        assertThat(empty.rowCount()).isZero();
        assertThat(empty.column("d").orElseThrow().nullCount()).hasValue(0L);
        assertThat(empty.column("d").orElseThrow().histogram()).isEmpty();

        TableProfile odd = profile("odd", EXACT, DistributionMode.AUTO);
        assertThat(odd.rowCount()).isEqualTo(2);
        assertThat(odd.column("nothing").orElseThrow().nullCount()).hasValue(2L);
        assertThat(odd.column("nothing").orElseThrow().min()).isEmpty();
        assertThat(odd.column("t").orElseThrow().min()).hasValue("-01:30:00");
        assertThat(odd.column("we`ird name").orElseThrow().distinctCount()).hasValue(2L);
        ColumnProfile n = odd.column("n").orElseThrow();
        assertThat(n.nullCount()).hasValue(0L);
        assertThat(n.histogram().orElseThrow()).singleElement().satisfies(b -> assertThat(b.count()).isEqualTo(2));
        assertThat(n.topValues().orElseThrow()).containsExactly(new TopValue(5L, 2));
    }

    @Test
    void jsonAndBlobColumnsGetOnlyWhatIsMeaningful() throws SQLException {
        TableProfile p = profile("item", EXACT, DistributionMode.AUTO);
        ColumnProfile doc = p.column("doc").orElseThrow();
        assertThat(doc.type()).isEqualTo("json");
        assertThat(doc.kind()).isEqualTo("json");
        assertThat(doc.nullCount()).hasValue(0L);
        assertThat(doc.min()).isEmpty();
        assertThat(doc.topValues()).isEmpty();
        assertThat(doc.maxLength()).hasValue(count("SELECT MAX(LENGTH(doc)) FROM item"));
        assertThat(doc.note()).hasValueSatisfying(n -> assertThat(n).contains("JSON"));
        ColumnProfile blob = p.column("blob_col").orElseThrow();
        assertThat(blob.kind()).isEqualTo("bytes");
        assertThat(blob.minLength()).hasValue(0L);
        assertThat(blob.maxLength()).hasValue(3L);
        assertThat(blob.distinctCount()).isEmpty();
    }

    @Test
    void aboveTheThresholdATableIsSampledByPrimaryKeyRangesAndSaysSo() throws SQLException {
        SchemaConfig sampling = new SchemaConfig(Duration.ofMinutes(5), 10_000, 5_000);
        TableProfile p = profile("big", sampling, DistributionMode.AUTO);
        assertThat(p.sampled()).isTrue();
        assertThat(p.sample()).hasValueSatisfying(s -> {
            assertThat(s.method()).isEqualTo("PRIMARY_KEY_RANGES");
            assertThat(s.rowsScanned()).isBetween(4_000L, 6_000L);
            assertThat(s.percent()).hasValueSatisfying(pc -> assertThat(pc).isBetween(8.0, 12.0));
        });
        assertThat(p.rowCount()).isBetween(45_000L, 55_000L);
        ColumnProfile w = p.column("w").orElseThrow();
        assertThat(w.topValues().orElseThrow()).hasSize(3);
        assertThat(w.distinctCount()).hasValue(3L);
    }

    @Test
    void aTableWithoutAnIntegerKeyIsSampledWithRand() throws SQLException {
        SchemaConfig sampling = new SchemaConfig(Duration.ofMinutes(5), 1_000, 2_000);
        TableProfile p = profile("nokey", sampling, DistributionMode.AUTO);
        assertThat(p.sample()).hasValueSatisfying(s -> assertThat(s.method()).isEqualTo("RAND"));
        assertThat(p.rowCount()).isBetween(16_000L, 24_000L);
    }

    /** {@code table} sampled to about 2,000 rows by key runs that hold them all and see every value of {@code column}. */
    private static void assertSampledByKeyRuns(String table, String column, long distinctValues) throws SQLException {
        TableProfile p = profile(table, new SchemaConfig(Duration.ofMinutes(5), 1_000, 2_000), DistributionMode.AUTO);
        assertThat(p.sample()).as(table).hasValueSatisfying(s -> {
            assertThat(s.method()).isEqualTo("PRIMARY_KEY_RUNS");
            assertThat(s.rowsScanned()).isBetween(1_800L, 2_100L);
        });
        assertThat(p.column(column).orElseThrow().distinctCount()).as(table).hasValue(distinctValues);
    }

    @Test
    void aCompositeKeyIsSampledByRunsOfItsFirstColumn() throws SQLException {
        assertSampledByKeyRuns("order_line", "line", 4);
    }

    @Test
    void aCompositeKeyWhoseFirstColumnHasFewValuesIsSampledWithRand() throws SQLException {
        SchemaConfig sampling = new SchemaConfig(Duration.ofMinutes(5), 1_000, 2_000);
        TableProfile p = profile("pair", sampling, DistributionMode.AUTO);
        assertThat(p.sample()).hasValueSatisfying(s -> assertThat(s.method()).isEqualTo("RAND"));
    }

    @Test
    void anUnsignedKeyPastTwoToTheSixtyThreeIsSampledByKeyRunsInsteadOfFailing() throws SQLException {
        assertSampledByKeyRuns("ubig", "v", 10);
    }

    @Test
    void aTextKeyIsSampledByKeyRunsThatReadOnlyTheSampledRows() throws SQLException {
        SchemaConfig sampling = new SchemaConfig(Duration.ofMinutes(5), 10_000, 3_000);
        long tableRows = 60_000;
        try (Connection c = TestMariaDb.connect(db)) {
            c.setReadOnly(true);
            DatabaseSchema schema = new MySqlIntrospector().read(c, Instant.now());
            TableInfo t = schema.tables().stream().filter(x -> x.schema().equals(db) && x.name().equals("uuid_t"))
                    .findFirst().orElseThrow();
            long before = rowsRead(c);
            TableProfile p = new MySqlTableProfiler(sampling).profile(c, t, schema, DistributionMode.AUTO);
            long read = rowsRead(c) - before;
            assertThat(p.sample()).hasValueSatisfying(s -> {
                assertThat(s.method()).isEqualTo("PRIMARY_KEY_RUNS");
                // Whole runs of ceil(rows / cuts) rows, their LIMIT raised by a ratio when keys are skewed (the
                // table's UUIDs are random): the total lands near the 3,000 asked for, on either side.
                assertThat(s.rowsScanned()).isBetween(2_700L, 3_300L);
                assertThat(s.note()).contains("InnoDB's estimate");
            });
            // RAND reads all 60,000 rows for the first pass and again per distribution branch.
            assertThat(read).isLessThan(tableRows);
            assertThat(p.rowCount()).isEqualTo(t.approxRowCount().orElseThrow()).isBetween(40_000L, 80_000L);
            ColumnProfile v = p.column("v").orElseThrow();
            assertThat(v.min()).hasValue(0L);
            assertThat(v.max()).hasValue(99L);
            assertThat(v.distinctCount()).hasValue(100L);
        }
    }

    /** Rows the server read for this session so far: index range steps and scan steps (also of temporary tables). */
    private static long rowsRead(Connection c) throws SQLException {
        long sum = 0;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW SESSION STATUS WHERE Variable_name IN "
                     + "('Handler_read_next', 'Handler_read_rnd_next', 'Handler_read_prev')")) {
            while (rs.next()) {
                sum += rs.getLong(2);
            }
        }
        return sum;
    }

    @Test
    void binaryAndCaseSensitiveLatin1KeysAreSampledByKeyRunsToo() throws SQLException {
        assertSampledByKeyRuns("bin_t", "v", 10);
        assertSampledByKeyRuns("ord_t", "v", 10);
    }

    @Test
    void mixedCaseKeysUnderABinaryCollationAreSampledInBothCases() throws SQLException {
        TableProfile p = profile("cased", new SchemaConfig(Duration.ofMinutes(5), 1_000, 2_000), DistributionMode.AUTO);
        assertThat(p.sample()).hasValueSatisfying(s -> {
            assertThat(s.method()).isEqualTo("PRIMARY_KEY_RUNS");
            assertThat(s.rowsScanned()).isBetween(1_000L, 2_000L);
        });
        assertThat(p.column("v").orElseThrow().distinctCount()).hasValue(2L);
    }

    @Test
    void keyRunsThatFindEveryRowOfTheTableReadItInFullInstead() throws SQLException {
        // InnoDB's estimate far above the rows there are (a table emptied since its statistics):
        // 100 runs of up to 300 rows each end before their LIMIT, so they hold the whole table.
        try (Connection c = TestMariaDb.connect(db)) {
            c.setReadOnly(true);
            DatabaseSchema schema = new MySqlIntrospector().read(c, Instant.now());
            TableInfo t = schema.tables().stream().filter(x -> x.schema().equals(db) && x.name().equals("bin_t"))
                    .findFirst().orElseThrow();
            Source whole = Sampling.sample(c, t, "`" + db + "`.`bin_t`", "`id`, `v`", 30_000, 1_000_000, 100);
            assertThat(whole.method()).isEmpty();
            assertThat(count("SELECT COUNT(*) FROM (" + whole.select() + ") AS x")).isEqualTo(20_000);

            Source runs = Sampling.sample(c, t, "`" + db + "`.`bin_t`", "`id`, `v`", 2_000, 20_000, 100);
            assertThat(runs.method()).hasValue("PRIMARY_KEY_RUNS");
        }
    }

    @Test
    void keyTextWithQuotesBackslashesAndFourByteCharactersIsCutSafely() throws SQLException {
        assertThat(text("SELECT MIN(k) FROM odd_key")).isEqualTo("\uD83D\uDE00'\\000001");
        assertSampledByKeyRuns("odd_key", "v", 10);
    }

    @Test
    void aLargeTableReadInFullEstimatesOnlyItsDistributionsAndLabelsThem() throws SQLException {
        SchemaConfig config = new SchemaConfig(Duration.ofMinutes(5), 1_000_000, 5_000);
        TableProfile p = profile("big", config, DistributionMode.AUTO);
        assertThat(p.sampled()).isFalse();
        assertThat(p.rowCount()).isEqualTo(50_000);
        assertThat(p.note()).hasValueSatisfying(n -> assertThat(n).contains("PRIMARY_KEY_RANGES"));
        ColumnProfile v = p.column("v").orElseThrow();
        assertThat(v.min()).hasValue(0L);
        assertThat(v.max()).hasValue(99L);
        assertThat(v.distinctCountEstimated()).hasValue(true);
        assertThat(v.histogramEstimated()).hasValue(true);
        assertThat(v.quantilesMethod()).hasValue("sample");
        assertThat(v.histogram().orElseThrow().stream().mapToLong(HistogramBucket::count).sum()).isEqualTo(50_000);

        TableProfile exact = profile("big", config, DistributionMode.EXACT);
        ColumnProfile ve = exact.column("v").orElseThrow();
        assertThat(ve.distinctCount()).hasValue(100L);
        assertThat(ve.distinctCountEstimated()).isEmpty();
        assertThat(ve.histogram().orElseThrow().get(0).count()).isEqualTo(count("SELECT COUNT(*) FROM big WHERE v < 9.9"));
    }

    @Test
    void aViewAboveTheSampleSizeIsReadUpToItsLimitAndSaysItMayBeBiased() throws SQLException {
        SchemaConfig config = new SchemaConfig(Duration.ofMinutes(5), 1_000_000, 1_000);
        TableProfile p = profile("big_view", config, DistributionMode.AUTO);
        assertThat(p.kind()).isEqualTo("view");
        assertThat(p.sample()).hasValueSatisfying(s -> {
            assertThat(s.method()).isEqualTo("LIMIT");
            assertThat(s.rowsScanned()).isEqualTo(1_000);
            assertThat(s.note()).contains("biased");
        });
    }
}
