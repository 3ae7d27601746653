package dev.dea.config;

import java.util.Optional;
import java.util.Properties;

import static java.util.Objects.requireNonNull;

/**
 * Where the client's database is and how the agent talks to it. The password is never rendered.
 * {@code allowPrivilegedLogin} (DB_ALLOW_PRIVILEGED_LOGIN) accepts a login that is a superuser, may
 * bypass row security or holds a server-access role; without it such a login is refused.
 */
public record DbConfig(
        Dialect dialect,
        String host,
        int port,
        String user,
        String password,
        String name,
        String sslMode,
        Optional<String> readOnlyRole,
        String searchPath,
        int poolSize,
        boolean allowPrivilegedLogin) {

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

    /** A login that must not be privileged (DB_ALLOW_PRIVILEGED_LOGIN unset). */
    public DbConfig(Dialect dialect, String host, int port, String user, String password, String name, String sslMode,
                    Optional<String> readOnlyRole, String searchPath, int poolSize) {
        this(dialect, host, port, user, password, name, sslMode, readOnlyRole, searchPath, poolSize, false);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + name;
    }

    /**
     * The PostgreSQL driver's connection properties that every connection of the agent shares:
     * TLS mode, how it names itself to the server, and how long it waits to connect. Not the
     * credentials: the pool takes them separately, so that its configuration log masks them.
     */
    public Properties driverProperties(String applicationName, int connectTimeoutSeconds) {
        Properties props = new Properties();
        props.setProperty("sslmode", sslMode);
        props.setProperty("ApplicationName", requireNonNull(applicationName, "applicationName"));
        props.setProperty("connectTimeout", Integer.toString(connectTimeoutSeconds));
        return props;
    }

    @Override
    public String toString() {
        return "DbConfig[" + dialect + "://" + user + "@" + host + ":" + port + "/" + name + ", sslmode=" + sslMode + "]";
    }
}
