package dev.dea.datasource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.dea.config.Dialect;
import dev.dea.db.DbHealth;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * What {@code GET /datasources}, {@code /health} and the heartbeats say of one datasource. Never
 * its host, user or password: the list is for callers, the configuration for operators.
 *
 * @param status  {@code up}, or {@code down} with the {@code reason}
 * @param server  the server's product and version, once it answered
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record DatasourceStatus(String name, Dialect dialect, @JsonProperty("default") boolean isDefault,
                               String status, Optional<String> reason, Optional<Server> server) {
    public DatasourceStatus {
        requireNonNull(name, "name");
        requireNonNull(dialect, "dialect");
        requireNonNull(status, "status");
        requireNonNull(reason, "reason");
        requireNonNull(server, "server");
    }

    public record Server(String product, String version) {
    }

    static DatasourceStatus of(Datasource d, DbHealth health) {
        Dialect dialect = d.config().db().dialect();
        Optional<String> reason = d.breaker().reason().or(health::reason);
        boolean up = health.reachable() && !d.breaker().isOpen();
        return new DatasourceStatus(d.name(), dialect, d.isDefault(), up ? "up" : "down", up ? Optional.empty() : reason,
                health.serverVersion().map(v -> new Server(product(dialect, v), v)));
    }

    /** MariaDB answers as the mysql dialect; its version string says which server it is. */
    private static String product(Dialect dialect, String version) {
        return switch (dialect) {
            case POSTGRESQL -> "PostgreSQL";
            case MYSQL -> version.toLowerCase(java.util.Locale.ROOT).contains("mariadb") ? "MariaDB" : "MySQL";
        };
    }
}
