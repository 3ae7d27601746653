package dev.dea.schema;

import dev.dea.config.SchemaConfig;
import dev.dea.db.Database;
import dev.dea.error.AgentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/**
 * The database's schema as one immutable snapshot, read by the dialect's {@link SchemaIntrospector} and cached
 * for {@link SchemaConfig#cacheTtl()}. Callers arriving while a rebuild runs wait for that
 * rebuild instead of starting their own, so a burst of requests on a cold or expired cache
 * costs the database one introspection.
 */
public final class SchemaService {
    private static final Logger log = LoggerFactory.getLogger(SchemaService.class);

    private final Database db;
    private final SchemaConfig config;
    private final Clock clock;
    private final SchemaIntrospector introspector;

    private final Object lock = new Object();
    private volatile Snapshot current;
    // Guarded by lock.
    private Rebuild inFlight;
    private long ticketsIssued;
    private final AtomicLong rebuilds = new AtomicLong();

    private record Snapshot(DatabaseSchema schema, Instant builtAt, long ticket) {
    }

    private record Rebuild(CompletableFuture<Snapshot> result, long ticket) {
    }

    public SchemaService(Database db, SchemaConfig config, Clock clock, SchemaIntrospector introspector) {
        this.db = requireNonNull(db, "db");
        this.config = requireNonNull(config, "config");
        this.clock = requireNonNull(clock, "clock");
        this.introspector = requireNonNull(introspector, "introspector");
    }

    /** The cached schema, rebuilt when older than the TTL. */
    public DatabaseSchema schema() {
        Snapshot s = current;
        if (s != null && clock.instant().isBefore(s.builtAt().plus(config.cacheTtl()))) {
            return s.schema();
        }
        return rebuild(0).schema();
    }

    /**
     * Rebuilds now. A rebuild already running when this is called may have read the catalog
     * before the change the caller wants to see, so it is waited out rather than shared.
     */
    public DatabaseSchema refresh() {
        long needed;
        synchronized (lock) {
            needed = ticketsIssued + 1;
        }
        return rebuild(needed).schema();
    }

    /** Resolves a caller's table name; see {@link TableNameResolver} for the matching rules. */
    public TableInfo resolve(String name) {
        DatabaseSchema s = schema();
        return TableNameResolver.resolve(name, s.tables(), s.searchPath());
    }

    /** How many introspections ran; lets tests observe cache hits and shared rebuilds. */
    long rebuildCount() {
        return rebuilds.get();
    }

    private Snapshot rebuild(long minTicket) {
        while (true) {
            Rebuild mine = null;
            Rebuild other;
            synchronized (lock) {
                if (inFlight == null) {
                    mine = new Rebuild(new CompletableFuture<>(), ++ticketsIssued);
                    inFlight = mine;
                }
                other = inFlight;
            }
            if (mine != null) {
                return runRebuild(mine);
            }
            Snapshot result = await(other);
            if (other.ticket() >= minTicket) {
                return result;
            }
            // An older rebuild finished; loop to start (or join) one that began after our call.
        }
    }

    private Snapshot runRebuild(Rebuild r) {
        Snapshot snapshot;
        try {
            long started = System.nanoTime();
            DatabaseSchema schema = db.readOnly(c -> introspector.read(c, clock.instant()));
            rebuilds.incrementAndGet();
            snapshot = new Snapshot(schema, clock.instant(), r.ticket());
            log.info("Schema introspected: {} relations in {} ms", schema.tables().size(),
                    (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeException | Error e) {
            finish(r, null);
            r.result().completeExceptionally(e);
            throw e;
        }
        // Published before waiters wake, so none of them sees this rebuild still in flight.
        finish(r, snapshot);
        r.result().complete(snapshot);
        return snapshot;
    }

    private void finish(Rebuild r, Snapshot snapshot) {
        synchronized (lock) {
            if (snapshot != null && (current == null || current.ticket() < snapshot.ticket())) {
                current = snapshot;
            }
            if (inFlight == r) {
                inFlight = null;
            }
        }
    }

    private static Snapshot await(Rebuild r) {
        try {
            return r.result().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof AgentException ae) {
                // A fresh exception per waiter: each carries its own stack, the cause is shared.
                throw new AgentException(ae.type(), ae.getMessage(), ae.details(), ae);
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw AgentException.internal("Schema introspection failed", e.getCause());
        }
    }
}
