package dev.dea.db;

import dev.dea.config.SqlLimits;
import dev.dea.db.session.SessionDialect;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * The pools' source of physical connections: the dialect's driver, then {@link LoginCheck} and
 * the dialect's per-connection set-up on each new connection before the pool sees it. HikariCP has no hook of its own for "a connection was
 * just opened", and this is what makes the check run on every reconnect.
 */
final class CheckingDataSource implements DataSource {
    private final SessionDialect session;
    private final SqlLimits limits;
    private final Driver driver;
    private final String url;
    private final Properties properties;
    private final LoginCheck check;
    private final boolean logRefusals;
    private volatile int loginTimeoutSeconds;

    /** {@code properties} include the credentials; this class never renders them. */
    CheckingDataSource(SessionDialect session, SqlLimits limits, String url, Properties properties, LoginCheck check,
                       boolean logRefusals) {
        this.session = requireNonNull(session, "session");
        this.limits = requireNonNull(limits, "limits");
        this.driver = session.driver();
        this.url = requireNonNull(url, "url");
        this.properties = (Properties) properties.clone();
        this.check = requireNonNull(check, "check");
        this.logRefusals = logRefusals;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c = driver.connect(url, properties);
        if (c == null) {
            throw new SQLException(session.product() + "'s driver does not accept the URL " + url);
        }
        try {
            check.inspect(c, logRefusals);
            session.initialize(c, limits);
            return c;
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** The pools are configured without a user name; the credentials are in the properties. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // the drivers log through their own loggers; nothing to set
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // The driver's own connectTimeout (driverProperties) bounds a connection attempt.
        loginTimeoutSeconds = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public String toString() {
        return "CheckingDataSource[" + url + "]";
    }
}
