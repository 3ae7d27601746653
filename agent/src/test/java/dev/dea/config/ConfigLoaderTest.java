package dev.dea.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    private static final String TOKEN = "0123456789abcdef0123";

    private static Map<String, String> db(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("DB_HOST", "db.internal", "DB_USER", "reader", "DB_NAME", "analytics",
                "AGENT_SECRET_TOKEN", TOKEN));
        env.putAll(extra);
        return env;
    }

    @Test
    void startsInDemoModeWithAGeneratedTokenWhenNoDatabaseIsNamed() {
        AgentConfig config = ConfigLoader.load(Map.of("DB_PORT", "5432", "DB_SSL_MODE", "prefer", "DB_DIALECT", "postgresql"));
        assertThat(config.db()).isEmpty();
        assertThat(config.tokenGenerated()).isTrue();
        assertThat(config.token()).hasSizeGreaterThanOrEqualTo(32);
        assertThat(config.port()).isEqualTo(8001);
    }

    @Test
    void readsTheSeedVariablesAndDefaults() {
        AgentConfig config = ConfigLoader.load(db(Map.of("DB_PASSWORD", "s3cret", "DB_SSL_MODE", "require",
                "CORE_LOGIC_URL", "https://platform.example.com", "AGENT_ID", "agt-1", "SQL_TIMEOUT_SECONDS", "12",
                "CACHE_MAX_BYTES", "512MB", "FRAME_MAX_BYTES", "64mb", "SQL_DENY_FUNCTIONS", "My_Func, other*")));
        DbConfig db = config.db().orElseThrow();
        assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/analytics");
        assertThat(db.sslMode()).isEqualTo("require");
        assertThat(config.sql().statementTimeout()).isEqualTo(Duration.ofSeconds(12));
        assertThat(config.sql().maxRows()).isEqualTo(1_000_000);
        assertThat(config.sql().extraDeniedFunctions()).containsExactlyInAnyOrder("my_func", "other*");
        assertThat(config.cache().maxBytes()).isEqualTo(512L << 20);
        assertThat(config.cache().maxFrameBytes()).isEqualTo(64L << 20);
        assertThat(config.coreLogicUrl()).hasValueSatisfying(u -> assertThat(u.getHost()).isEqualTo("platform.example.com"));
        assertThat(config.tokenGenerated()).isFalse();
    }

    @Test
    void servesMySqlAndMariaDbOnPort3306ByDefault() {
        for (String name : new String[] {"mysql", "MariaDB"}) {
            DbConfig db = ConfigLoader.load(db(Map.of("DB_DIALECT", name))).db().orElseThrow();
            assertThat(db.dialect()).isEqualTo(Dialect.MYSQL);
            assertThat(db.port()).isEqualTo(3306);
        }
        assertThat(ConfigLoader.load(db(Map.of("DB_DIALECT", "mysql", "DB_PORT", "3307"))).db().orElseThrow().port())
                .isEqualTo(3307);
        assertThat(ConfigLoader.load(db(Map.of())).db().orElseThrow().port()).isEqualTo(5432);
    }

    @Test
    void aReadOnlyRoleAndASearchPathAreRefusedForMySql() {
        assertThatThrownBy(() -> ConfigLoader.load(db(Map.of("DB_DIALECT", "mysql", "DB_READONLY_ROLE", "reader",
                "DB_SEARCH_PATH", "shop"))))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("DB_READONLY_ROLE is PostgreSQL-only"))
                        .anySatisfy(p -> assertThat(p).startsWith("DB_SEARCH_PATH is PostgreSQL-only")));
    }

    @Test
    void aMySqlSystemSchemaIsNoDatabaseToServe() {
        assertThatThrownBy(() -> ConfigLoader.load(db(Map.of("DB_DIALECT", "mariadb", "DB_NAME", "MySQL"))))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("DB_NAME 'MySQL' is a MySQL system schema")));
        assertThat(ConfigLoader.load(db(Map.of("DB_NAME", "mysql"))).db()).isPresent();
    }

    @Test
    void reportsEveryProblemAtOnce() {
        Map<String, String> env = new HashMap<>(Map.of("DB_HOST", "db", "AGENT_SECRET_TOKEN", "short",
                "AGENT_PORT", "99999", "DB_SSL_MODE", "sometimes", "SQL_MAX_ROWS", "lots", "CORE_LOGIC_URL", "ftp://x",
                "CACHE_MAX_BYTES", "ten gigs", "DB_READONLY_ROLE", "x; DROP", "DB_DIALECT", "oracle"));
        assertThatThrownBy(() -> ConfigLoader.load(env))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("AGENT_SECRET_TOKEN is too short"))
                        .anySatisfy(p -> assertThat(p).startsWith("AGENT_PORT must be between"))
                        .anySatisfy(p -> assertThat(p).startsWith("DB_SSL_MODE 'sometimes'"))
                        .anySatisfy(p -> assertThat(p).startsWith("SQL_MAX_ROWS must be a whole number"))
                        .anySatisfy(p -> assertThat(p).startsWith("CORE_LOGIC_URL must be an http"))
                        .anySatisfy(p -> assertThat(p).startsWith("CACHE_MAX_BYTES must be a size"))
                        .anySatisfy(p -> assertThat(p).startsWith("DB_READONLY_ROLE"))
                        .anySatisfy(p -> assertThat(p).startsWith("DB_DIALECT 'oracle'"))
                        .anySatisfy(p -> assertThat(p).startsWith("DB_USER is required"))
                        .anySatisfy(p -> assertThat(p).startsWith("DB_NAME is required")))
                .hasMessageContaining("problems");
    }

    @Test
    void aPlatformUrlWithAPasswordInItIsRefusedWithoutRepeatingThePassword() {
        for (String url : new String[] {"https://ops:s3cret-pw@platform.example.com/", "https://ops:s3cret-pw@plat form"}) {
            Map<String, String> env = db(Map.of("CORE_LOGIC_URL", url));
            assertThatThrownBy(() -> ConfigLoader.load(env))
                    .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                            .anySatisfy(p -> assertThat(p).startsWith("CORE_LOGIC_URL")))
                    .message().doesNotContain("s3cret-pw");
        }
    }

    @Test
    void requiresATokenWhenARealDatabaseIsConfigured() {
        Map<String, String> env = db(Map.of());
        env.remove("AGENT_SECRET_TOKEN");
        assertThatThrownBy(() -> ConfigLoader.load(env)).hasMessageContaining("AGENT_SECRET_TOKEN is required");
    }

    @Test
    void neverRendersSecretsInToString() {
        AgentConfig config = ConfigLoader.load(db(Map.of("DB_PASSWORD", "pa55word-very-secret")));
        assertThat(config.toString()).doesNotContain(TOKEN).doesNotContain("pa55word-very-secret");
        assertThat(config.db().orElseThrow().toString()).doesNotContain("pa55word-very-secret");
    }

    @Test
    void acceptsThePreviousTokenDuringRotation() {
        AgentConfig config = ConfigLoader.load(db(Map.of("AGENT_PREVIOUS_TOKEN", "previous-token-123456")));
        assertThat(config.acceptedTokens()).containsExactly(TOKEN, "previous-token-123456");
    }

    @Test
    void readsDotEnvWithQuotesCommentsAndExport(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(".env");
        Files.writeString(file, "# comment\nexport DB_HOST=\"db.example\"\nDB_USER='u'\n\nDB_NAME = n\nBROKEN LINE\n");
        assertThat(DotEnv.read(file)).containsEntry("DB_HOST", "db.example").containsEntry("DB_USER", "u")
                .containsEntry("DB_NAME", "n").hasSize(3);
    }

    @Test
    void rejectsAFrameLimitAboveTheCacheLimit() {
        assertThatThrownBy(() -> ConfigLoader.load(db(Map.of("CACHE_MAX_BYTES", "1MB", "FRAME_MAX_BYTES", "2MB"))))
                .hasMessageContaining("FRAME_MAX_BYTES");
    }

    @Test
    void keepsArtifactsUpTo1GbUnlessArtifactsMaxBytesSaysOtherwiseButNotBelowOneStep() {
        assertThat(ConfigLoader.load(db(Map.of())).cache().artifactsMaxBytes()).isEqualTo(1L << 30);
        assertThat(ConfigLoader.load(db(Map.of("ARTIFACTS_MAX_BYTES", "64MB"))).cache().artifactsMaxBytes())
                .isEqualTo(64L << 20);
        assertThatThrownBy(() -> ConfigLoader.load(db(Map.of("ARTIFACTS_MAX_BYTES", "1MB"))))
                .hasMessageContaining("ARTIFACTS_MAX_BYTES must be at least");
    }

    @Test
    void limitsTheCacheTo100000FramesUnlessCacheMaxFramesSaysOtherwise() {
        assertThat(ConfigLoader.load(db(Map.of())).cache().maxFrames()).isEqualTo(100_000);
        assertThat(ConfigLoader.load(db(Map.of("CACHE_MAX_FRAMES", "5000"))).cache().maxFrames()).isEqualTo(5_000);
    }

    @Test
    void rejectsACacheFrameLimitBelowOneOrNotANumber() {
        Map<String, String> expected = Map.of(
                "0", "CACHE_MAX_FRAMES must be between 1 and 2147483647, got 0",
                "-1", "CACHE_MAX_FRAMES must be between 1 and 2147483647, got -1",
                "abc", "CACHE_MAX_FRAMES must be a whole number, got 'abc'");
        expected.forEach((value, message) ->
                assertThatThrownBy(() -> ConfigLoader.load(db(Map.of("CACHE_MAX_FRAMES", value))))
                        .as(value)
                        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(message)));
    }

    @Test
    void logsJsonAndKeepsMetricsBehindTheTokenByDefault() {
        AgentConfig config = ConfigLoader.load(db(Map.of()));
        assertThat(config.observability().logFormat()).isEqualTo(LogFormat.JSON);
        assertThat(config.observability().metricsPublic()).isFalse();
    }

    @Test
    void readsLogFormatAndPublicMetrics() {
        AgentConfig config = ConfigLoader.load(db(Map.of("LOG_FORMAT", "Text", "METRICS_PUBLIC", "true")));
        assertThat(config.observability().logFormat()).isEqualTo(LogFormat.TEXT);
        assertThat(config.observability().metricsPublic()).isTrue();
    }

    @Test
    void rejectsAnUnknownLogFormatAlongsideOtherProblems() {
        assertThatThrownBy(() -> ConfigLoader.load(db(Map.of("LOG_FORMAT", "xml", "METRICS_PUBLIC", "maybe"))))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).isEqualTo("LOG_FORMAT must be json (one JSON object per line) or text, got 'xml'"))
                        .anySatisfy(p -> assertThat(p).startsWith("METRICS_PUBLIC must be true or false")));
    }

    @Test
    void syncsEveryAuditLineUnlessAuditFsyncIsEverysec() {
        assertThat(ConfigLoader.load(db(Map.of())).audit().fsync()).isEqualTo(AuditSettings.Fsync.ALWAYS);
        assertThat(ConfigLoader.load(db(Map.of("AUDIT_FSYNC", "EverySec"))).audit().fsync())
                .isEqualTo(AuditSettings.Fsync.EVERYSEC);
        assertThatThrownBy(() -> ConfigLoader.load(db(Map.of("AUDIT_FSYNC", "never"))))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "AUDIT_FSYNC must be always (each line on disk before the answer) or everysec, got 'never'"));
    }

    @Test
    void servesTheApiReferenceUnlessDocsEnabledIsFalse() {
        assertThat(ConfigLoader.load(db(Map.of())).docs().enabled()).isTrue();
        assertThat(ConfigLoader.load(db(Map.of("DOCS_ENABLED", "false"))).docs().enabled()).isFalse();
        assertThatThrownBy(() -> ConfigLoader.load(db(Map.of("DOCS_ENABLED", "maybe"))))
                .hasMessageContaining("DOCS_ENABLED must be true or false, got 'maybe'");
    }

    @Test
    void boundsSlowAndGreedyClientsByDefaultAndKeepsThePerClientLimitWithinTheTotal() {
        HttpLimits defaults = ConfigLoader.load(db(Map.of())).httpLimits();
        assertThat(defaults.bodyTimeout()).isEqualTo(java.time.Duration.ofSeconds(10));
        assertThat(defaults.maxRequestsPerClient()).isEqualTo(128);
        assertThat(defaults.maxConcurrentRequests()).isEqualTo(200);
        assertThat(defaults.serverThreads()).isGreaterThan(200);
        // Lowering only the total lowers the per-client default with it.
        assertThat(ConfigLoader.load(db(Map.of("MAX_CONCURRENT_REQUESTS", "50"))).httpLimits().maxRequestsPerClient())
                .isEqualTo(50);
        assertThatThrownBy(() -> ConfigLoader.load(db(Map.of("MAX_REQUESTS_PER_CLIENT", "300",
                "MAX_CONCURRENT_REQUESTS", "100", "REQUEST_BODY_TIMEOUT_SECONDS", "0"))))
                .hasMessageContaining("MAX_REQUESTS_PER_CLIENT (300) must not exceed MAX_CONCURRENT_REQUESTS (100)")
                .hasMessageContaining("REQUEST_BODY_TIMEOUT_SECONDS must be between 1 and 300");
    }

    @Test
    void limitsUploadsTo100MegabytesUnlessUploadMaxBytesSaysOtherwise() {
        assertThat(ConfigLoader.load(db(Map.of())).httpLimits().uploadMaxBytes()).isEqualTo(100L << 20);
        assertThat(ConfigLoader.load(db(Map.of("UPLOAD_MAX_BYTES", "2GB"))).httpLimits().uploadMaxBytes())
                .isEqualTo(2L << 30);
        assertThatThrownBy(() -> ConfigLoader.load(db(Map.of("UPLOAD_MAX_BYTES", "0", "CACHE_MAX_FRAMES", "x"))))
                .hasMessageContaining("UPLOAD_MAX_BYTES")
                .hasMessageContaining("CACHE_MAX_FRAMES");
        assertThatThrownBy(() -> ConfigLoader.load(db(Map.of("UPLOAD_MAX_BYTES", "lots"))))
                .hasMessageContaining("UPLOAD_MAX_BYTES");
    }

    @Test
    void sqlAdmissionDefaultsToThePoolLeftByProfilesAndSchemaReads() {
        AgentConfig config = ConfigLoader.load(db(Map.of()));
        // DB_POOL_SIZE 10 - PROFILE_MAX_CONCURRENT 2 - one connection for schema reads.
        assertThat(config.sqlAdmission().maxConcurrent()).isEqualTo(7);
        assertThat(config.sqlAdmission().queueSize()).isEqualTo(SqlAdmission.DEFAULT_QUEUE_SIZE);
        assertThat(config.sqlAdmission().queueTimeout()).isEqualTo(Duration.ofSeconds(SqlAdmission.DEFAULT_QUEUE_TIMEOUT_SECONDS));
        assertThat(ConfigLoader.load(db(Map.of("DB_POOL_SIZE", "2", "PROFILE_MAX_CONCURRENT", "1")))
                .sqlAdmission().maxConcurrent()).isEqualTo(1);
    }

    @Test
    void sqlSlotsAndProfileSlotsMustFitThePool() {
        assertThatThrownBy(() -> ConfigLoader.load(db(Map.of("DB_POOL_SIZE", "4", "SQL_MAX_CONCURRENT", "3",
                "SQL_QUEUE_SIZE", "-1"))))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("SQL_MAX_CONCURRENT (3) + PROFILE_MAX_CONCURRENT (2) "
                                + "must not exceed DB_POOL_SIZE (4)"))
                        .anySatisfy(p -> assertThat(p).startsWith("SQL_QUEUE_SIZE")));
    }

    @Test
    void aPrivilegedLoginIsRefusedUnlessAllowedExplicitly() {
        assertThat(ConfigLoader.load(db(Map.of())).db().orElseThrow().allowPrivilegedLogin()).isFalse();
        assertThat(ConfigLoader.load(db(Map.of("DB_ALLOW_PRIVILEGED_LOGIN", "true"))).db().orElseThrow()
                .allowPrivilegedLogin()).isTrue();
    }
}
