package dev.dea.datasource;

import dev.dea.db.DbHealth;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

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
    /** Counts trips, so that a probe that began before one cannot close the breaker it opened. */
    private final AtomicLong trips = new AtomicLong();

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
        trips.incrementAndGet();
    }

    /** Taken before a probe starts, and handed back with its answer to {@link #probed}. */
    long probeStarting() {
        return trips.get();
    }

    /**
     * A probe's answer opens or closes the breaker. A "reachable" from a probe that began before
     * a request tripped the breaker is stale (the database went down while it ran): the breaker
     * stays open for the next probe to decide.
     */
    void probed(DbHealth health, long startedAt) {
        lastProbe = Optional.of(health);
        if (health.reachable()) {
            if (trips.get() != startedAt) {
                return;
            }
            if (openReason.isPresent()) {
                log.info("Datasource '{}' answers again (server {})", datasource, health.serverVersion().orElse("?"));
            }
            openReason = Optional.empty();
        } else {
            trip(health.reason().orElse("the database does not answer"));
        }
    }
}
