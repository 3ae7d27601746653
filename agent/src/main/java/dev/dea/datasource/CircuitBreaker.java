package dev.dea.datasource;

import dev.dea.db.DbHealth;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One datasource's breaker: once its database is known down (a probe or a request found it so),
 * its requests fail at once with 503 DB_UNAVAILABLE naming it, instead of each waiting for a pool
 * connection that will not come; the others are not slowed. Only the background probe
 * ({@link Datasources}) closes it, when the database answers again.
 */
public final class CircuitBreaker {
    private static final Logger log = LoggerFactory.getLogger(CircuitBreaker.class);

    private final String datasource;
    private volatile Optional<String> openReason = Optional.empty();
    private volatile Optional<DbHealth> lastProbe = Optional.empty();

    public CircuitBreaker(String datasource) {
        this.datasource = requireNonNull(datasource, "datasource");
    }

    /** Throws DB_UNAVAILABLE naming the datasource while the breaker is open. */
    public void check() {
        Optional<String> reason = openReason;
        if (reason.isPresent()) {
            throw new AgentException(ErrorType.DB_UNAVAILABLE, "Datasource '" + datasource + "' is unavailable: "
                    + reason.get(), Map.of("datasource", datasource), null);
        }
    }

    public boolean isOpen() {
        return openReason.isPresent();
    }

    public Optional<String> reason() {
        return openReason;
    }

    /** The last probe's answer, if one ran yet. */
    public Optional<DbHealth> lastProbe() {
        return lastProbe;
    }

    /** A request found the database unavailable: open until a probe sees it answer. */
    void trip(String reason) {
        if (openReason.isEmpty()) {
            log.warn("Datasource '{}' is down, failing its requests fast until it answers: {}", datasource, reason);
        }
        openReason = Optional.of(reason);
    }

    /** A probe's answer opens or closes the breaker. */
    void probed(DbHealth health) {
        lastProbe = Optional.of(health);
        if (health.reachable()) {
            if (openReason.isPresent()) {
                log.info("Datasource '{}' answers again (server {})", datasource, health.serverVersion().orElse("?"));
            }
            openReason = Optional.empty();
        } else {
            trip(health.reason().orElse("the database does not answer"));
        }
    }
}
