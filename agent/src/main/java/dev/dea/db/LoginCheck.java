package dev.dea.db;

import dev.dea.db.session.SessionDialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Looks at every new physical connection's login before the pool may use it, so that a login
 * that is (or became) privileged is found at start-up and again whenever the database comes
 * back. Without DB_ALLOW_PRIVILEGED_LOGIN such a connection is closed and the database counts
 * as unusable until a connection with an unprivileged login succeeds.
 */
final class LoginCheck {
    private static final Logger log = LoggerFactory.getLogger(LoginCheck.class);
    private final SessionDialect session;
    private final String user;
    private final boolean allowed;
    /** The last privileges seen on a new connection; empty before the database first answered. */
    private final LoginSettings settings;
    private final AtomicReference<Optional<LoginPrivileges>> seen = new AtomicReference<>(Optional.empty());

    LoginCheck(SessionDialect session, String user, boolean allowed, LoginSettings settings) {
        this.session = session;
        this.user = user;
        this.allowed = allowed;
        this.settings = settings;
    }

    /** A privileged login without DB_ALLOW_PRIVILEGED_LOGIN; the pool then never gets the connection. */
    static final class Refused extends SQLException {
        Refused(String message) {
            super(message, "42501");
        }
    }

    /** {@code logRefusal}: false where the caller reports the refusal itself (the start-up). */
    void inspect(Connection c, boolean logRefusal) throws SQLException {
        LoginPrivileges found = LoginPrivileges.read(session, c);
        Optional<LoginPrivileges> before = seen.getAndSet(Optional.of(found));
        boolean changed = before.map(b -> !b.equals(found)).orElse(true);
        if (!found.privileged()) {
            if (before.map(LoginPrivileges::privileged).orElse(false)) {
                log.info("The database login '{}' is no longer privileged: the database is usable again", user);
            }
            return;
        }
        if (!allowed) {
            if (changed && logRefusal) {
                log.error("The database login '{}' is privileged ({}) and refused: {}", user, found.describe(), remedy());
            }
            throw new Refused(refusal(found));
        }
        if (changed) {
            log.warn("The database login '{}' is privileged ({}); accepted because of {}. "
                    + "A statement that got past the SQL guard could use these privileges: {}", user, found.describe(),
                    settings.allow(), "use a least-privilege login from " + session.readOnlyLoginScript());
        }
    }

    /** The privileges that make the database unusable, when the last new connection was refused. */
    Optional<LoginPrivileges> refused() {
        return allowed ? Optional.empty() : seen.get().filter(LoginPrivileges::privileged);
    }

    /** The privileges of an accepted privileged login (DB_ALLOW_PRIVILEGED_LOGIN=true); empty otherwise. */
    List<String> acceptedPrivileges() {
        return allowed ? seen.get().map(LoginPrivileges::privileges).orElse(List.of()) : List.of();
    }

    String refusal(LoginPrivileges found) {
        return capitalize(settings.user()) + " '" + user + "' is a privileged database login (" + found.describe()
                + "), which the agent refuses: a statement that got past its SQL guard could use these privileges. "
                + capitalize(remedy()) + ".";
    }

    String remedy() {
        return "create a least-privilege login with " + session.readOnlyLoginScript() + " and set "
                + settings.user() + " to it, or set " + settings.allow() + " to accept the risk";
    }

    private static String capitalize(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
