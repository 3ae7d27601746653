package dev.dea.config;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;
import java.util.Optional;

/**
 * The SQL dialect a datasource speaks. MariaDB is served by {@link #MYSQL}: where MySQL and
 * MariaDB differ, the implementation chooses by the server's product and version, not by a
 * second dialect.
 */
public enum Dialect {
    POSTGRESQL("postgresql", 5432, "PostgreSQL"),
    MYSQL("mysql", 3306, "MySQL/MariaDB");

    private final String id;
    private final int defaultPort;
    private final String product;

    Dialect(String id, int defaultPort, String product) {
        this.id = id;
        this.defaultPort = defaultPort;
        this.product = product;
    }

    /** How people name the SQL this dialect speaks, e.g. for a model writing queries. */
    public String product() {
        return product;
    }

    /** The name configuration, /health and the registration use. */
    @JsonValue
    public String id() {
        return id;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** {@code postgresql}/{@code postgres}, {@code mysql}/{@code mariadb}, any case; empty for anything else. */
    public static Optional<Dialect> parse(String text) {
        return switch (text == null ? "" : text.strip().toLowerCase(Locale.ROOT)) {
            case "postgresql", "postgres" -> Optional.of(POSTGRESQL);
            case "mysql", "mariadb" -> Optional.of(MYSQL);
            default -> Optional.empty();
        };
    }

    @Override
    public String toString() {
        return id;
    }
}
