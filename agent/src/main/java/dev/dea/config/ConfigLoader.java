package dev.dea.config;

import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@link AgentConfig} from environment variables, with an optional {@code .env}
 * file underneath (a real environment variable wins). Every value is validated up
 * front and all problems are reported together in one {@link ConfigException}.
 */
public final class ConfigLoader {
    static final int MIN_TOKEN_LENGTH = 16;
    static final int MIN_HMAC_SECRET_LENGTH = 32;
    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");

    private final Env env;
    private final List<String> problems;

    private ConfigLoader(Map<String, String> env) {
        this.env = new Env(env);
        this.problems = this.env.problems();
    }

    /** The process environment over {@code .env} in the working directory, if present. */
    public static AgentConfig fromEnvironment() {
        return load(withDotEnv(System.getenv()));
    }

    /** {@code env} over {@code .env} in the working directory: the variables the agent reads (the doctor reads the same). */
    public static Map<String, String> withDotEnv(Map<String, String> env) {
        Map<String, String> merged = new HashMap<>(DotEnv.read(Path.of(".env")));
        merged.putAll(env);
        return merged;
    }

    public static AgentConfig load(Map<String, String> env) {
        return new ConfigLoader(env).build();
    }

    private SandboxConfig.Backend sandboxBackend() {
        String id = env.string("SANDBOX_BACKEND", SandboxConfig.Backend.DOCKER.id());
        return SandboxConfig.Backend.of(id).orElseGet(() -> {
            problems.add("SANDBOX_BACKEND must be docker (containers on the agent's Docker engine) or kubernetes "
                    + "(pods, docs/kubernetes.md), got '" + id + "'");
            return SandboxConfig.Backend.DOCKER;
        });
    }

    private AgentConfig build() {
        String host = env.string("AGENT_HOST", "0.0.0.0");
        int port = env.integer("AGENT_PORT", 8001, 0, 65535);
        Optional<String> datasourcesFile = env.optional("DATASOURCES_FILE");
        datasourcesFile.ifPresent(f -> DatasourcesFile.refuseDbVariables(env, problems));
        Optional<DbConfig> envDb = datasourcesFile.isPresent() ? Optional.empty() : db();

        Optional<String> token = env.optional("AGENT_SECRET_TOKEN");
        boolean generated = false;
        if (token.isEmpty()) {
            if (envDb.isPresent() || datasourcesFile.isPresent()) {
                problems.add("AGENT_SECRET_TOKEN is required when a database is configured (DB_HOST or DATASOURCES_FILE is set); "
                        + "use a random string of at least " + MIN_TOKEN_LENGTH + " characters");
            }
            generated = true;
        }
        token.ifPresent(t -> checkToken("AGENT_SECRET_TOKEN", t));
        Optional<String> previous = env.optional("AGENT_PREVIOUS_TOKEN");
        previous.ifPresent(t -> checkToken("AGENT_PREVIOUS_TOKEN", t));

        Optional<URI> core = env.url("CORE_LOGIC_URL");
        Optional<URI> publicUrl = env.url("AGENT_PUBLIC_URL");
        Optional<String> agentId = env.optional("AGENT_ID");
        agentId.ifPresent(id -> {
            // It becomes a path segment of the platform's heartbeat URL.
            if (!id.matches("[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")) {
                problems.add("AGENT_ID may hold only letters, digits, '.', '_', '~' and '-' (at most 128), got '" + id + "'");
            }
        });

        SqlLimits sql = new SqlLimits(
                Duration.ofSeconds(env.integer("SQL_TIMEOUT_SECONDS", 30, 1, 86_400)),
                Duration.ofSeconds(env.integer("SQL_LOCK_TIMEOUT_SECONDS", 5, 1, 3_600)),
                Duration.ofSeconds(env.integer("SQL_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS", 60, 1, 86_400)),
                env.longValue("SQL_MAX_ROWS", 1_000_000, 1, 1_000_000_000L),
                env.integer("SQL_FETCH_SIZE", 5_000, 10, 1_000_000),
                env.integer("PREVIEW_MAX_ROWS", 1_000, 1, 100_000),
                env.list("SQL_DENY_FUNCTIONS"),
                env.list("SQL_DENY_TABLES"),
                env.size("SQL_RESULT_BUFFER", SqlLimits.defaultResultBufferBytes(envDb.map(DbConfig::poolSize).orElse(10))),
                env.list("SQL_ALLOW_FUNCTION_SCHEMAS"));
        List<DatasourceConfig> datasources = datasourcesFile
                .flatMap(f -> env.readableFile("DATASOURCES_FILE", f))
                .map(f -> DatasourcesFile.read(f, env::raw, sql, problems))
                .orElseGet(() -> envDb.map(d -> List.of(new DatasourceConfig(DatasourceConfig.DEFAULT_NAME, true, d, sql)))
                        .orElse(List.of()));
        Optional<DbConfig> db = datasourcesFile.isEmpty() ? envDb
                : datasources.stream().filter(DatasourceConfig::isDefault).findFirst().map(DatasourceConfig::db);
        // The pool checks below hold for every datasource when they hold for the smallest pool.
        Optional<DatasourceConfig> smallestPool = datasources.stream()
                .min(java.util.Comparator.comparingInt(d -> d.db().poolSize()));
        for (String schema : sql.allowedFunctionSchemas()) {
            // Naming pg_catalog would allow every volatile built-in, which the allow-list exists to keep out.
            if (schema.equalsIgnoreCase("pg_catalog") || schema.equalsIgnoreCase("information_schema")
                    || schema.startsWith("pg_") || !schema.matches("[A-Za-z_][A-Za-z0-9_$]*")) {
                problems.add("SQL_ALLOW_FUNCTION_SCHEMAS may name only the client's own schemas (plain identifiers, "
                        + "not pg_catalog, information_schema or pg_*), got '" + schema + "'");
            }
        }

        long artifactsMaxBytes = env.size("ARTIFACTS_MAX_BYTES", CacheConfig.DEFAULT_ARTIFACTS_MAX_BYTES);
        if (artifactsMaxBytes < CacheConfig.MIN_ARTIFACTS_MAX_BYTES) {
            problems.add("ARTIFACTS_MAX_BYTES must be at least " + CacheConfig.MIN_ARTIFACTS_MAX_BYTES
                    + " (one step's artifacts), got " + artifactsMaxBytes);
            artifactsMaxBytes = CacheConfig.MIN_ARTIFACTS_MAX_BYTES;
        }
        CacheConfig cache = new CacheConfig(
                Path.of(env.string("CACHE_DIR", "data/cache")).toAbsolutePath().normalize(),
                Duration.ofHours(env.integer("CACHE_TTL_HOURS", 24, 1, 24 * 365)),
                env.size("CACHE_MAX_BYTES", 10L << 30),
                env.size("FRAME_MAX_BYTES", 1L << 30),
                env.integer("CACHE_MAX_FRAMES", 100_000, 1, Integer.MAX_VALUE),
                env.size("PREVIEW_MAX_BYTES", CacheConfig.DEFAULT_PREVIEW_MAX_BYTES), artifactsMaxBytes);
        if (cache.maxFrameBytes() > cache.maxBytes()) {
            problems.add("FRAME_MAX_BYTES (" + cache.maxFrameBytes() + ") must not exceed CACHE_MAX_BYTES (" + cache.maxBytes() + ")");
        }

        SchemaConfig schema = new SchemaConfig(
                Duration.ofSeconds(env.integer("SCHEMA_CACHE_TTL_SECONDS", 300, 0, 86_400)),
                env.longValue("PROFILE_SAMPLE_ABOVE_ROWS", 1_000_000, 1, Long.MAX_VALUE),
                env.integer("PROFILE_SAMPLE_ROWS", 100_000, 100, 100_000_000),
                env.integer("PROFILE_MAX_CONCURRENT", SchemaConfig.DEFAULT_PROFILE_MAX_CONCURRENT, 1, 64),
                env.longValue("PROFILE_ESTIMATE_ABOVE_ROWS", SchemaConfig.DEFAULT_PROFILE_ESTIMATE_ABOVE_ROWS, 0,
                        Long.MAX_VALUE));
        smallestPool.filter(d -> schema.profileMaxConcurrent() >= d.db().poolSize()).ifPresent(d -> problems.add(
                "PROFILE_MAX_CONCURRENT (" + schema.profileMaxConcurrent() + ") must be below " + poolSetting(d, datasourcesFile)
                        + " (" + d.db().poolSize() + "), so that profiles cannot hold every database connection"));
        SqlAdmission sqlAdmission = sqlAdmission(smallestPool, datasourcesFile, schema);

        long maxRequestBytes = env.size("MAX_REQUEST_BYTES", 10L << 20);
        AuthLimits authLimits = new AuthLimits(env.integer("AUTH_FAILURE_LIMIT", 10, 1, 10_000),
                Duration.ofSeconds(env.integer("AUTH_FAILURE_WINDOW_SECONDS", 60, 1, 86_400)),
                Duration.ofSeconds(env.integer("AUTH_BLOCK_SECONDS", 300, 1, 86_400)));

        SandboxConfig sandbox = new SandboxConfig(
                env.string("SANDBOX_IMAGE", "dea-sandbox:latest"),
                Duration.ofSeconds(env.integer("SANDBOX_TIMEOUT_SECONDS", 100, 1, 3_600)),
                env.integer("SANDBOX_MEMORY_MB", 256, 64, 65_536),
                env.decimal("SANDBOX_CPUS", 0.5, 0.05, 64),
                env.integer("SANDBOX_PIDS_LIMIT", 64, 8, 4_096),
                env.integer("SANDBOX_MAX_CONCURRENT", 2, 1, 256),
                env.integer("SANDBOX_QUEUE_SIZE", 16, 0, 10_000),
                env.integer("SANDBOX_POOL_SIZE", 2, 0, 64),
                env.optional("SANDBOX_RUNTIME"),
                env.size("SANDBOX_OUTPUT_LIMIT_BYTES", 1L << 20),
                env.integer("SANDBOX_TMPFS_MB", 64, 1, 4_096),
                sandboxBackend(),
                KubernetesSettings.read(env));

        String registrationPath = env.string("REGISTRATION_PATH", "/api/v1/agents/register");
        if (!registrationPath.startsWith("/") || registrationPath.contains("?") || registrationPath.contains("#")) {
            problems.add("REGISTRATION_PATH must be a path starting with '/' (no query or fragment), got '" + registrationPath + "'");
        }
        PlatformConfig platform = new PlatformConfig(registrationPath,
                Duration.ofSeconds(env.integer("HEARTBEAT_INTERVAL_SECONDS", 30, 1, 3_600)));
        AuditSettings audit = new AuditSettings(
                Path.of(env.string("AUDIT_LOG_PATH", "data/audit/audit.log")).toAbsolutePath().normalize(),
                env.size("AUDIT_MAX_FILE_BYTES", 100L << 20),
                env.integer("AUDIT_MAX_FILES", 10, 1, 1_000),
                env.bool("AUDIT_INCLUDE_CODE", true),
                auditFsync());
        AuthSettings auth = auth();
        Optional<TlsConfig> tls = tls();
        ObservabilityConfig observability = new ObservabilityConfig(env.bool("METRICS_PUBLIC", false), logFormat());
        DocsConfig docs = new DocsConfig(env.bool("DOCS_ENABLED", true));
        HttpLimits httpLimits = httpLimits();
        JobsConfig jobs = new JobsConfig(env.integer("JOBS_MAX_CONCURRENT", 8, 1, 1_000),
                env.integer("JOBS_QUEUE_SIZE", 64, 0, 100_000),
                Duration.ofHours(env.integer("JOBS_RETENTION_HOURS", 24, 1, 24 * 365)),
                env.integer("JOBS_MAX_RECORDS", 10_000, 1, 1_000_000),
                Duration.ofSeconds(env.integer("JOBS_HEARTBEAT_SECONDS", 15, 1, 3_600)));

        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new AgentConfig(host, port, token.orElseGet(ConfigLoader::generateToken), previous, generated,
                core, publicUrl, agentId, db, datasources, sql, cache, schema, sandbox, platform, audit, authLimits, maxRequestBytes,
                auth, tls, observability, docs, httpLimits, sqlAdmission, jobs);
    }

    /** README "Slow and greedy clients". */
    private HttpLimits httpLimits() {
        int bodySeconds = env.integer("REQUEST_BODY_TIMEOUT_SECONDS", 10, 1, 300);
        int total = env.integer("MAX_CONCURRENT_REQUESTS", 200, 1, 10_000);
        int perClient = env.integer("MAX_REQUESTS_PER_CLIENT", Math.min(128, total), 1, 10_000);
        if (perClient > total) {
            problems.add("MAX_REQUESTS_PER_CLIENT (" + perClient + ") must not exceed MAX_CONCURRENT_REQUESTS (" + total + ")");
            perClient = total;
        }
        long uploadMaxBytes = env.size("UPLOAD_MAX_BYTES", HttpLimits.DEFAULT_UPLOAD_MAX_BYTES);
        if (uploadMaxBytes < 1) {
            problems.add("UPLOAD_MAX_BYTES must be positive, got " + uploadMaxBytes);
            uploadMaxBytes = HttpLimits.DEFAULT_UPLOAD_MAX_BYTES;
        }
        return new HttpLimits(Duration.ofSeconds(bodySeconds), perClient, total, uploadMaxBytes);
    }

    /**
     * SQL statements (from /execute and from sandboxed code) share the pool with profiles and schema
     * reads: by default they get what the profile slots leave, minus one connection for schema reads.
     */
    private SqlAdmission sqlAdmission(Optional<DatasourceConfig> smallestPool, Optional<String> datasourcesFile,
                                      SchemaConfig schema) {
        Optional<DbConfig> db = smallestPool.map(DatasourceConfig::db);
        int poolSize = db.map(DbConfig::poolSize).orElse(SqlAdmission.DEMO_POOL_SIZE);
        int fits = Math.max(1, poolSize - schema.profileMaxConcurrent() - 1);
        SqlAdmission admission = new SqlAdmission(
                env.integer("SQL_MAX_CONCURRENT", fits, 1, 200),
                env.integer("SQL_QUEUE_SIZE", SqlAdmission.DEFAULT_QUEUE_SIZE, 0, 10_000),
                Duration.ofSeconds(env.integer("SQL_QUEUE_TIMEOUT_SECONDS", SqlAdmission.DEFAULT_QUEUE_TIMEOUT_SECONDS,
                        1, 3_600)));
        db.filter(d -> admission.maxConcurrent() + schema.profileMaxConcurrent() > d.poolSize()).ifPresent(d ->
                problems.add("SQL_MAX_CONCURRENT (" + admission.maxConcurrent() + ") + PROFILE_MAX_CONCURRENT ("
                        + schema.profileMaxConcurrent() + ") must not exceed " + poolSetting(smallestPool.get(), datasourcesFile)
                        + " (" + d.poolSize()
                        + "): every admitted statement and profile needs a database connection of its own"));
        return admission;
    }

    /** How the operator sets {@code d}'s pool size, for messages. */
    private static String poolSetting(DatasourceConfig d, Optional<String> datasourcesFile) {
        return datasourcesFile.isPresent() ? "the pool_size of datasource '" + d.name() + "'" : "DB_POOL_SIZE";
    }

    private Optional<DbConfig> db() {
        // Only the variables that name a database switch the demo off: a copied .env.example
        // (with DB_PORT, DB_SSL_MODE... filled in) must still start the demo.
        boolean anyDb = java.util.stream.Stream.of("DB_HOST", "DB_USER", "DB_NAME", "DB_PASSWORD")
                .anyMatch(k -> !Env.blank(env.raw(k)));
        if (!anyDb) {
            return Optional.empty();
        }
        String dialectName = env.string("DB_DIALECT", "postgresql");
        Optional<Dialect> parsed = Dialect.parse(dialectName);
        if (parsed.isEmpty()) {
            problems.add("DB_DIALECT '" + dialectName + "' is not one of postgresql, mysql, mariadb");
        }
        Dialect dialect = parsed.orElse(Dialect.POSTGRESQL);
        String host = env.required("DB_HOST", "the database server's host name or address");
        int port = env.integer("DB_PORT", dialect.defaultPort(), 1, 65535);
        String user = env.required("DB_USER", "the database user the agent connects as");
        String name = env.required("DB_NAME", "the database to connect to");
        String password = Optional.ofNullable(env.raw("DB_PASSWORD")).orElse("");
        String ssl = env.string("DB_SSL_MODE", "prefer").toLowerCase(Locale.ROOT);
        if (!SSL_MODES.contains(ssl)) {
            problems.add("DB_SSL_MODE '" + ssl + "' is not one of " + new java.util.TreeSet<>(SSL_MODES));
        }
        if (dialect == Dialect.MYSQL && name != null
                && java.util.Set.of("mysql", "performance_schema", "sys", "information_schema").contains(name.toLowerCase(Locale.ROOT))) {
            // Unqualified names would resolve in the server's own schemas, which the MySQL guard denies only by name.
            problems.add("DB_NAME '" + name + "' is a MySQL system schema; name the database the agent should serve");
        }
        Optional<String> role = env.optional("DB_READONLY_ROLE");
        if (role.isPresent() && dialect == Dialect.MYSQL) {
            // MySQL has no per-transaction role switch the agent relies on: the login itself must be read-only.
            problems.add("DB_READONLY_ROLE is PostgreSQL-only; with DB_DIALECT=" + dialectName
                    + " make DB_USER a SELECT-only login (docs/readonly-role-mysql.sql) and unset DB_READONLY_ROLE");
        }
        role.ifPresent(r -> {
            if (!IDENTIFIER.matcher(r).matches()) {
                problems.add("DB_READONLY_ROLE '" + r + "' is not a plain SQL identifier");
            }
        });
        if (dialect == Dialect.MYSQL && env.optional("DB_SEARCH_PATH").isPresent()) {
            // Silently ignored otherwise: MySQL resolves unqualified names in DB_NAME only.
            problems.add("DB_SEARCH_PATH is PostgreSQL-only; with DB_DIALECT=" + dialectName + " unqualified names "
                    + "resolve in DB_NAME, and other databases are named db.table: unset DB_SEARCH_PATH");
        }
        String searchPath = env.string("DB_SEARCH_PATH", "public");
        for (String part : searchPath.split(",")) {
            if (!IDENTIFIER.matcher(part.strip()).matches()) {
                problems.add("DB_SEARCH_PATH must be a comma-separated list of schema names, got '" + searchPath + "'");
                break;
            }
        }
        int pool = env.integer("DB_POOL_SIZE", 10, 1, 200);
        boolean allowPrivileged = env.bool("DB_ALLOW_PRIVILEGED_LOGIN", false);
        return Optional.of(new DbConfig(dialect, host, port, user, password, name, ssl, role, searchPath, pool,
                allowPrivileged));
    }

    private AuthSettings auth() {
        String modeName = env.string("AUTH_MODE", "bearer").toLowerCase(Locale.ROOT);
        AuthSettings.Mode mode = switch (modeName) {
            case "bearer" -> AuthSettings.Mode.BEARER;
            case "hmac" -> AuthSettings.Mode.HMAC;
            default -> {
                problems.add("AUTH_MODE must be 'bearer' or 'hmac', got '" + modeName + "'");
                yield AuthSettings.Mode.BEARER;
            }
        };
        Optional<String> secret = env.optional("AGENT_HMAC_SECRET");
        Optional<String> previous = env.optional("AGENT_PREVIOUS_HMAC_SECRET");
        if (mode == AuthSettings.Mode.HMAC && secret.isEmpty()) {
            problems.add("AGENT_HMAC_SECRET is required when AUTH_MODE=hmac; use a random string of at least "
                    + MIN_HMAC_SECRET_LENGTH + " characters (e.g. openssl rand -hex 32)");
        }
        secret.ifPresent(s -> checkHmacSecret("AGENT_HMAC_SECRET", s));
        previous.ifPresent(s -> checkHmacSecret("AGENT_PREVIOUS_HMAC_SECRET", s));
        Duration maxAge = Duration.ofSeconds(env.integer("HMAC_MAX_AGE_SECONDS", 300, 10, 3_600));
        int nonceCacheSize = env.integer("HMAC_NONCE_CACHE_SIZE", 100_000, 100, 10_000_000);
        if (mode == AuthSettings.Mode.HMAC && secret.isEmpty()) {
            // Reported above; the record needs a value to be built while the other problems are collected.
            return new AuthSettings(AuthSettings.Mode.BEARER, Optional.empty(), Optional.empty(), maxAge, nonceCacheSize);
        }
        // In bearer mode the secrets are validated (a typo should not wait for the switch) but not kept.
        return mode == AuthSettings.Mode.HMAC
                ? new AuthSettings(mode, secret, previous, maxAge, nonceCacheSize)
                : new AuthSettings(mode, Optional.empty(), Optional.empty(), maxAge, nonceCacheSize);
    }

    private void checkHmacSecret(String key, String secret) {
        if (secret.length() < MIN_HMAC_SECRET_LENGTH) {
            problems.add(key + " is too short (" + secret.length() + " characters); use at least " + MIN_HMAC_SECRET_LENGTH);
        }
        if (!secret.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            problems.add(key + " must be printable ASCII without spaces (callers type it into shells and scripts)");
        }
    }

    private Optional<TlsConfig> tls() {
        Optional<String> cert = env.optional("TLS_CERT_FILE");
        Optional<String> key = env.optional("TLS_KEY_FILE");
        if (cert.isEmpty() && key.isEmpty()) {
            return Optional.empty();
        }
        if (cert.isEmpty()) {
            problems.add("TLS_CERT_FILE is required when TLS_KEY_FILE is set: the PEM certificate chain, server certificate first");
        }
        if (key.isEmpty()) {
            problems.add("TLS_KEY_FILE is required when TLS_CERT_FILE is set: the PEM private key of the certificate");
        }
        Optional<Path> certFile = cert.flatMap(c -> env.readableFile("TLS_CERT_FILE", c));
        Optional<Path> keyFile = key.flatMap(k -> env.readableFile("TLS_KEY_FILE", k));
        if (certFile.isEmpty() || keyFile.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new TlsConfig(certFile.get(), keyFile.get()));
    }

    private AuditSettings.Fsync auditFsync() {
        Optional<String> v = env.optional("AUDIT_FSYNC");
        if (v.isEmpty()) {
            return AuditSettings.Fsync.ALWAYS;
        }
        Optional<AuditSettings.Fsync> fsync = AuditSettings.Fsync.parse(v.get());
        if (fsync.isEmpty()) {
            problems.add("AUDIT_FSYNC must be always (each line on disk before the answer) or everysec, got '"
                    + v.get() + "'");
        }
        return fsync.orElse(AuditSettings.Fsync.ALWAYS);
    }

    private LogFormat logFormat() {
        Optional<String> v = env.optional("LOG_FORMAT");
        if (v.isEmpty()) {
            return LogFormat.JSON;
        }
        Optional<LogFormat> format = LogFormat.parse(v.get());
        if (format.isEmpty()) {
            problems.add("LOG_FORMAT must be json (one JSON object per line) or text, got '" + v.get() + "'");
        }
        return format.orElse(LogFormat.JSON);
    }

    private void checkToken(String key, String token) {
        if (token.length() < MIN_TOKEN_LENGTH) {
            problems.add(key + " is too short (" + token.length() + " characters); use at least " + MIN_TOKEN_LENGTH);
        }
        if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            problems.add(key + " must be printable ASCII without spaces (it travels in an HTTP header)");
        }
    }

    private static String generateToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
