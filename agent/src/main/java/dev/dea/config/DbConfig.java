package dev.dea.config;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** Where the client's database is and how the agent talks to it. The password is never rendered. */
public record DbConfig(
        String dialect,
        String host,
        int port,
        String user,
        String password,
        String name,
        String sslMode,
        Optional<String> readOnlyRole,
        String searchPath,
        int poolSize) {

    public DbConfig {
        requireNonNull(dialect, "dialect");
        requireNonNull(host, "host");
        requireNonNull(user, "user");
        requireNonNull(password, "password");
        requireNonNull(name, "name");
        requireNonNull(sslMode, "sslMode");
        requireNonNull(readOnlyRole, "readOnlyRole");
        requireNonNull(searchPath, "searchPath");
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + name;
    }

    @Override
    public String toString() {
        return "DbConfig[" + dialect + "://" + user + "@" + host + ":" + port + "/" + name + ", sslmode=" + sslMode + "]";
    }
}
