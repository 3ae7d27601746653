package dev.dea.config;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The agent's whole configuration, read once from the environment by {@link ConfigLoader}.
 * {@code db} is empty when no {@code DB_*} variable is set: the agent then runs on an
 * embedded demo database. {@code datasources} are every database served, in the configured order
 * ({@code db} is the default one's connection); empty only until the demo database is started.
 * {@code toString()} never renders a token, a password or an HMAC secret.
 */
public record AgentConfig(
        String host,
        int port,
        String token,
        Optional<String> previousToken,
        boolean tokenGenerated,
        Optional<URI> coreLogicUrl,
        Optional<URI> publicUrl,
        Optional<String> agentId,
        Optional<DbConfig> db,
        List<DatasourceConfig> datasources,
        SqlLimits sql,
        CacheConfig cache,
        SchemaConfig schema,
        SandboxConfig sandbox,
        PlatformConfig platform,
        AuditSettings audit,
        AuthLimits authLimits,
        long maxRequestBytes,
        AuthSettings auth,
        Optional<TlsConfig> tls,
        ObservabilityConfig observability,
        DocsConfig docs,
        HttpLimits httpLimits,
        SqlAdmission sqlAdmission,
        JobsConfig jobs) {

    public AgentConfig {
        requireNonNull(host, "host");
        requireNonNull(token, "token");
        requireNonNull(previousToken, "previousToken");
        requireNonNull(coreLogicUrl, "coreLogicUrl");
        requireNonNull(publicUrl, "publicUrl");
        requireNonNull(agentId, "agentId");
        requireNonNull(db, "db");
        datasources = List.copyOf(datasources);
        requireNonNull(sql, "sql");
        requireNonNull(cache, "cache");
        requireNonNull(schema, "schema");
        requireNonNull(sandbox, "sandbox");
        requireNonNull(platform, "platform");
        requireNonNull(audit, "audit");
        requireNonNull(authLimits, "authLimits");
        requireNonNull(auth, "auth");
        requireNonNull(tls, "tls");
        requireNonNull(observability, "observability");
        requireNonNull(docs, "docs");
        requireNonNull(httpLimits, "httpLimits");
        requireNonNull(sqlAdmission, "sqlAdmission");
        requireNonNull(jobs, "jobs");
    }

    /** {@code https} when TLS is configured: the agent then has no plain-HTTP listener at all. */
    public String scheme() {
        return tls.isPresent() ? "https" : "http";
    }

    /** Tokens accepted on requests: the current one, then the previous one during a rotation. */
    public List<String> acceptedTokens() {
        return previousToken.map(p -> List.of(token, p)).orElseGet(() -> List.of(token));
    }

    /** With {@code newDb} as the one, default, datasource (the demo database, tests). */
    public AgentConfig withDb(DbConfig newDb) {
        return new AgentConfig(host, port, token, previousToken, tokenGenerated, coreLogicUrl, publicUrl, agentId,
                Optional.of(newDb), List.of(new DatasourceConfig(DatasourceConfig.DEFAULT_NAME, true, newDb, sql)), sql, cache, schema, sandbox, platform, audit, authLimits, maxRequestBytes,
                auth, tls, observability, docs, httpLimits, sqlAdmission, jobs);
    }

    @Override
    public String toString() {
        return "AgentConfig[listen=" + host + ":" + port + ", datasources=" + (datasources.isEmpty() ? "embedded demo" : datasources.toString())
                + ", cache=" + cache.dir() + ", tls=" + tls.map(t -> t.certFile().toString()).orElse("off")
                + ", token=<redacted>, auth=" + auth + "]";
    }
}
