package dev.dea.profile;

import dev.dea.admission.Admission;
import dev.dea.config.SchemaConfig;
import dev.dea.db.Database;
import dev.dea.error.AgentException;
import dev.dea.execute.StepProgress;
import dev.dea.schema.DatabaseSchema;
import dev.dea.schema.SchemaService;
import dev.dea.schema.TableInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import static java.util.Objects.requireNonNull;

/**
 * Table profiles, computed inside the database by the dialect's {@link TableProfiler} (see
 * {@code profile.postgresql.PostgresTableProfiler}, {@code profile.mysql.MySqlTableProfiler} and docs/profiles.md). This front class owns what is the same for
 * every dialect: name resolution, admission (a bounded number at once, a bounded queue) and
 * sharing one computation between concurrent requests for the same table.
 */
public final class ProfileService {
    private static final Logger log = LoggerFactory.getLogger(ProfileService.class);
    /** Profiles waiting for a turn beyond the running ones; more get TOO_MANY_REQUESTS at once. */
    static final int QUEUE_SIZE = 32;
    /** How long a waiting profile waits for a turn before TOO_MANY_REQUESTS. */
    static final Duration MAX_WAIT = Duration.ofSeconds(60);

    private final Database db;
    private final SchemaService schema;
    private final SchemaConfig config;
    private final TableProfiler profiler;
    private final Admission admission;
    private final ConcurrentMap<String, CompletableFuture<TableProfile>> inFlight = new ConcurrentHashMap<>();

    public ProfileService(Database db, SchemaService schema, SchemaConfig config, TableProfiler profiler) {
        this.db = requireNonNull(db, "db");
        this.schema = requireNonNull(schema, "schema");
        this.config = requireNonNull(config, "config");
        this.profiler = requireNonNull(profiler, "profiler");
        this.admission = new Admission("profile", config.profileMaxConcurrent(), QUEUE_SIZE, MAX_WAIT);
    }

    /**
     * The table's profile. At most {@link SchemaConfig#profileMaxConcurrent()} are computed at
     * once (others wait their turn, see {@link #QUEUE_SIZE}); a request for a table whose profile
     * is being computed waits for that computation and gets its result instead of scanning again.
     */
    public TableProfile profile(String tableName) {
        return profile(tableName, DistributionMode.AUTO);
    }

    /** As {@link #profile(String)}; {@code mode} says whether a large table's distributions may be estimated. */
    public TableProfile profile(String tableName, DistributionMode mode) {
        return profile(tableName, mode, StepProgress.NONE);
    }

    /**
     * As {@link #profile(String, DistributionMode)}, telling {@code progress} of each pass over the
     * table as it ends (a request that joins a profile another one is computing gets no progress).
     */
    public TableProfile profile(String tableName, DistributionMode mode, StepProgress progress) {
        requireNonNull(mode, "mode");
        requireNonNull(progress, "progress");
        TableInfo table = schema.resolve(tableName);
        String flightKey = mode + " " + table.qualifiedName();
        CompletableFuture<TableProfile> mine = new CompletableFuture<>();
        CompletableFuture<TableProfile> shared = inFlight.putIfAbsent(flightKey, mine);
        if (shared != null) {
            return joined(shared);
        }
        try {
            admission.acquire();
            long started = System.nanoTime();
            try {
                TableProfile profile = profileCounted(table, mode, progress).profile();
                mine.complete(profile);
                return profile;
            } finally {
                admission.release((System.nanoTime() - started) / 1_000_000);
            }
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(flightKey, mine);
        }
    }

    private static TableProfile joined(CompletableFuture<TableProfile> shared) {
        try {
            return shared.join();
        } catch (CompletionException e) {
            // A copy per waiter: the computing request's exception is its own to decorate and log.
            if (e.getCause() instanceof AgentException a) {
                throw new AgentException(a.type(), a.getMessage(), a.details(), a);
            }
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** A profile and the number of SQL statements it issued (catalog reads included). */
    record Counted(TableProfile profile, int statements) {
    }

    Counted profileCounted(String tableName) {
        return profileCounted(tableName, DistributionMode.AUTO);
    }

    Counted profileCounted(String tableName, DistributionMode mode) {
        return profileCounted(schema.resolve(tableName), mode, StepProgress.NONE);
    }

    private Counted profileCounted(TableInfo table, DistributionMode mode, StepProgress progress) {
        DatabaseSchema current = schema.schema();
        int[] statements = new int[1];
        // Each pass is one statement: when the next one is created, the ones before it are done.
        Runnable passStarted = () -> {
            if (statements[0] > 1) {
                progress.profilePasses(statements[0] - 1, table.columns().size());
            }
        };
        // A profile slot nobody uses or waits for lends its connection, a statement at a time.
        TableProfile profile = db.readOnly(c -> profiler.profile(counting(c, statements, passStarted), table, current,
                mode, SpareConnection.of(db, admission)));
        log.debug("Profiled {} ({} columns, sampled {}) in {} ms with {} statements", table.qualifiedName(),
                profile.columns().size(), profile.sampled(), profile.elapsedMs(), statements[0]);
        return new Counted(profile, statements[0]);
    }

    /** The connection, counting the statements created on it (each pass runs one per statement object). */
    private static Connection counting(Connection c, int[] count, Runnable started) {
        return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("createStatement") || name.equals("prepareStatement")) {
                        count[0]++;
                        started.run();
                    }
                    try {
                        return method.invoke(c, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
