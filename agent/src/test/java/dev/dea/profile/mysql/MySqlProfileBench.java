package dev.dea.profile.mysql;

import dev.dea.config.ConfigLoader;
import dev.dea.config.SchemaConfig;
import dev.dea.db.Database;
import dev.dea.profile.ProfileService;
import dev.dea.schema.SchemaService;
import dev.dea.profile.DistributionMode;
import dev.dea.profile.TableProfile;
import dev.dea.schema.DatabaseSchema;
import dev.dea.schema.TableInfo;
import dev.dea.schema.mysql.MySqlIntrospector;
import dev.dea.testing.TestMariaDb;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Benchmark (c) for MySQL/MariaDB: the profile of a 1,000,000 x 10 table with default settings
 * against one full scan reading every column. Not part of the suite (the name matches neither
 * *Test nor *IT); run it with bench/mysql-profile.sh, numbers go to docs/benchmarks-mysql.md.
 */
class MySqlProfileBench {
    private static final int RUNS = 3;
    static final SchemaConfig DEFAULTS = new SchemaConfig(Duration.ofMinutes(5), 1_000_000, 100_000, 2, 500_000);

    @Test
    void profileOfAMillionRowsAgainstOneFullScan() throws Exception {
        String db = TestMariaDb.freshDatabase("mysqlschema_it_bench");
        try {
            TestMariaDb.execute(db, """
                    CREATE TABLE big_1m (id INT PRIMARY KEY, qty INT, amount BIGINT, price DECIMAL(10,2),
                      rate DECIMAL(12,4), score DOUBLE, ratio DOUBLE, name VARCHAR(40), category VARCHAR(20), day DATE)
                    """);
            TestMariaDb.execute(db, """
                    INSERT INTO big_1m
                    SELECT seq, seq % 1000, seq * 7919 % 100000007, (seq % 10000) / 100, (seq * 31 % 1000000) / 10000,
                           SIN(seq) * 1000, RAND(7), CONCAT('customer-', seq * 13 % 999983),
                           ELT(1 + seq % 5, 'books', 'games', 'music', 'garden', 'tools'),
                           DATE_ADD('2020-01-01', INTERVAL seq % 1500 DAY)
                    FROM seq_1_to_1000000
                    """);
            TestMariaDb.execute(db, "ANALYZE TABLE big_1m");
            try (Connection c = TestMariaDb.connect(db)) {
                c.setReadOnly(true);
                String scan = "SELECT COUNT(id), COUNT(qty), COUNT(amount), COUNT(price), COUNT(rate), COUNT(score), "
                        + "COUNT(ratio), COUNT(name), COUNT(category), COUNT(day) FROM big_1m IGNORE INDEX(PRIMARY)";
                time(c, scan); // warm the buffer pool
                List<Double> scans = new ArrayList<>();
                for (int i = 0; i < RUNS; i++) {
                    scans.add(time(c, scan));
                }
                DatabaseSchema schema = new MySqlIntrospector().read(c, Instant.now());
                TableInfo table = schema.tables().stream().filter(t -> t.schema().equals(db)).findFirst().orElseThrow();
                MySqlTableProfiler profiler = new MySqlTableProfiler(DEFAULTS);
                TableProfile last = null;
                List<Double> profiles = new ArrayList<>();
                for (int i = 0; i < RUNS; i++) {
                    long t0 = System.nanoTime();
                    last = profiler.profile(c, table, schema, DistributionMode.AUTO);
                    profiles.add((System.nanoTime() - t0) / 1e6);
                }
                // Where the time goes: the two statements alone, as the profiler builds them.
                List<ColumnStats> cols = table.columns().stream().map(ci -> new ColumnStats(ci.name(), ci.type(),
                        ci.nullable(), "s." + dev.dea.schema.mysql.MySqlNames.always(ci.name()))).toList();
                String relation = "`" + db + "`.big_1m";
                long a0 = System.nanoTime();
                AggregateScan.run(c, relation + " AS s", cols);
                double firstPass = (System.nanoTime() - a0) / 1e6;
                Source sample = Sampling.sample(c, table, relation, "id, qty, amount, price, rate, "
                        + "score, ratio, name, category, day", MySqlTableProfiler.DISTRIBUTION_ROWS, 1_000_000,
                        MySqlTableProfiler.DISTRIBUTION_RANGES);
                long d0 = System.nanoTime();
                DistributionScan.run(c, sample.select(), cols, true);
                double secondPass = (System.nanoTime() - d0) / 1e6;
                System.out.printf("%nBENCH first pass (aggregate, full table): %.1f ms; distribution statement "
                        + "(%s sample): %.1f ms%n", firstPass, sample.method().orElse("none"), secondPass);
                // The knob that trades exact first-pass statistics for time: sample above 500,000 rows.
                MySqlTableProfiler sampling = new MySqlTableProfiler(new SchemaConfig(Duration.ofMinutes(5), 500_000,
                        100_000, 2, 500_000));
                List<Double> sampledRuns = new ArrayList<>();
                TableProfile sampledProfile = null;
                for (int i = 0; i < RUNS; i++) {
                    long t0 = System.nanoTime();
                    sampledProfile = sampling.profile(c, table, schema, DistributionMode.AUTO);
                    sampledRuns.add((System.nanoTime() - t0) / 1e6);
                }
                // Through ProfileService, as the agent runs it: with one profile slot (one connection) and
                // with the default two (an idle slot lends its connection: each pass split over two).
                record ServiceRun(long sampleAbove, int slots, List<Double> runs) {
                }
                List<ServiceRun> service = new ArrayList<>();
                try (Database database = new Database(TestMariaDb.config(db), ConfigLoader.load(Map.of()).sql())) {
                    for (long above : new long[] {1_000_000, 500_000}) {
                        for (int slots : new int[] {1, 2}) {
                            SchemaConfig config = new SchemaConfig(Duration.ofMinutes(5), above, 100_000, slots, 500_000);
                            ProfileService profileService = new ProfileService(database, new SchemaService(database, config,
                                    Clock.systemUTC(), new MySqlIntrospector()), config, new MySqlTableProfiler(config));
                            profileService.profile(db + ".big_1m"); // schema read, warm-up
                            List<Double> runs = new ArrayList<>();
                            for (int i = 0; i < RUNS; i++) {
                                long t0 = System.nanoTime();
                                profileService.profile(db + ".big_1m");
                                runs.add((System.nanoTime() - t0) / 1e6);
                            }
                            service.add(new ServiceRun(above, slots, runs));
                        }
                    }
                }
                List<Double> exact = new ArrayList<>();
                TableProfile exactProfile = null;
                for (int i = 0; i < 1; i++) {
                    long t0 = System.nanoTime();
                    exactProfile = profiler.profile(c, table, schema, DistributionMode.EXACT);
                    exact.add((System.nanoTime() - t0) / 1e6);
                }
                double scanMs = median(scans);
                double profileMs = median(profiles);
                double exactMs = median(exact);
                System.out.printf("%nBENCH table_rows estimate=%d, sampled=%s, sample=%s, note=%s%n",
                        table.approxRowCount().orElse(-1L), last.sampled(), last.sample(), last.note());
                System.out.printf("BENCH full scan (median of %d): %.1f ms %s%n", RUNS, scanMs, scans);
                System.out.printf("BENCH profile, defaults (median of %d): %.1f ms %s = %.2fx%n", RUNS, profileMs,
                        profiles, profileMs / scanMs);
                System.out.printf("BENCH profile, PROFILE_SAMPLE_ABOVE_ROWS=500000 (median of %d): %.1f ms %s = %.2fx, "
                        + "sampled=%s, sample=%s%n", RUNS, median(sampledRuns), sampledRuns, median(sampledRuns) / scanMs,
                        sampledProfile.sampled(), sampledProfile.sample());
                System.out.printf("BENCH profile, ?distribution=exact (one run): %.1f ms %s = %.2fx, sampled=%s%n",
                        exactMs, exact, exactMs / scanMs, exactProfile.sampled());
                for (ServiceRun run : service) {
                    double ms = median(run.runs());
                    System.out.printf("BENCH ProfileService, PROFILE_SAMPLE_ABOVE_ROWS=%d, %s: %.1f ms %s = %.2fx%n",
                            run.sampleAbove(), run.slots() == 1 ? "one connection" : "two connections", ms, run.runs(),
                            ms / scanMs);
                }
                assertThat(last.rowCount()).isPositive();
            }
        } finally {
            TestMariaDb.drop(db);
        }
    }

    static double time(Connection c, String sql) throws Exception {
        long t0 = System.nanoTime();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    static double median(List<Double> xs) {
        List<Double> sorted = new ArrayList<>(xs);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
