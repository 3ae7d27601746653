package dev.dea.profile.mysql;

import dev.dea.config.SchemaConfig;
import dev.dea.profile.DistributionMode;
import dev.dea.profile.TableProfile;
import dev.dea.schema.DatabaseSchema;
import dev.dea.schema.TableInfo;
import dev.dea.schema.mysql.MySqlIntrospector;
import dev.dea.testing.TestMariaDb;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Profiles of 10-column tables keyed by a UUID string (CHAR(36)), 900,000 and 3,000,000 rows (either side of the default PROFILE_SAMPLE_ABOVE_ROWS),
 * default settings, on one connection, against one full scan. Such a table has no integer key
 * to sample by ranges. Not part of the suite; run it with bench/mysql-text-key-profile.sh,
 * numbers go to docs/benchmarks-mysql.md.
 */
class MySqlTextKeyProfileBench {
    private static final int RUNS = 3;
    private static final SchemaConfig DEFAULTS = new SchemaConfig(Duration.ofMinutes(5), 1_000_000, 100_000, 2, 500_000);

    @Test
    void profilesOfUuidKeyedTablesAgainstOneFullScan() throws Exception {
        String db = TestMariaDb.freshDatabase("mysqlschema_it_bench_uuid");
        try {
            for (int thousands : new int[] {900, 3_000}) {
                String table = "uuid_" + thousands + "k";
                TestMariaDb.execute(db, "CREATE TABLE " + table + " (id CHAR(36) PRIMARY KEY, qty INT, amount BIGINT, "
                        + "price DECIMAL(10,2), rate DECIMAL(12,4), score DOUBLE, ratio DOUBLE, name VARCHAR(40), "
                        + "category VARCHAR(20), day DATE)");
                // MD5-derived ids: random like UUIDv4, reproducible from run to run.
                TestMariaDb.execute(db, "INSERT INTO " + table + " SELECT CONCAT_WS('-', SUBSTR(MD5(seq), 1, 8), "
                        + "SUBSTR(MD5(seq), 9, 4), SUBSTR(MD5(seq), 13, 4), SUBSTR(MD5(seq), 17, 4), SUBSTR(MD5(seq), 21, 12)), "
                        + "seq % 1000, seq * 7919 % 100000007, (seq % 10000) / 100, (seq * 31 % 1000000) / 10000, "
                        + "SIN(seq) * 1000, RAND(7), CONCAT('customer-', seq * 13 % 999983), "
                        + "ELT(1 + seq % 5, 'books', 'games', 'music', 'garden', 'tools'), "
                        + "DATE_ADD('2020-01-01', INTERVAL seq % 1500 DAY) FROM seq_1_to_" + thousands + "000");
                TestMariaDb.execute(db, "ANALYZE TABLE " + table);
                try (Connection c = TestMariaDb.connect(db)) {
                    c.setReadOnly(true);
                    String scan = "SELECT COUNT(id), COUNT(qty), COUNT(amount), COUNT(price), COUNT(rate), COUNT(score), "
                            + "COUNT(ratio), COUNT(name), COUNT(category), COUNT(day) FROM " + table;
                    MySqlProfileBench.time(c, scan); // warm the buffer pool
                    List<Double> scans = new ArrayList<>();
                    for (int i = 0; i < RUNS; i++) {
                        scans.add(MySqlProfileBench.time(c, scan));
                    }
                    DatabaseSchema schema = new MySqlIntrospector().read(c, Instant.now());
                    TableInfo info = schema.tables().stream().filter(t -> t.schema().equals(db) && t.name().equals(table))
                            .findFirst().orElseThrow();
                    MySqlTableProfiler profiler = new MySqlTableProfiler(DEFAULTS);
                    List<Double> profiles = new ArrayList<>();
                    TableProfile last = null;
                    for (int i = 0; i < RUNS; i++) {
                        long t0 = System.nanoTime();
                        last = profiler.profile(c, info, schema, DistributionMode.AUTO);
                        profiles.add((System.nanoTime() - t0) / 1e6);
                    }
                    double scanMs = MySqlProfileBench.median(scans);
                    double profileMs = MySqlProfileBench.median(profiles);
                    System.out.printf("%nBENCH %,d rows (TABLE_ROWS estimate %,d): full scan %.1f ms %s; profile, defaults, one connection %.1f ms %s "
                                    + "= %.2fx; sampled=%s, sample=%s, note=%s%n", thousands * 1_000, info.approxRowCount().orElse(-1L), scanMs, scans,
                            profileMs, profiles, profileMs / scanMs, last.sampled(),
                            last.sample().map(s -> s.method() + " rows_scanned=" + s.rowsScanned()).orElse("none"),
                            last.note().orElse(""));
                    assertThat(last.rowCount()).isPositive();
                }
            }
        } finally {
            TestMariaDb.drop(db);
        }
    }
}
