package dev.dea.profile;

import dev.dea.db.Aside;
import dev.dea.db.Database;
import dev.dea.db.SqlWork;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A second read-only connection a {@link TableProfiler} may run one statement at a time on,
 * alongside its own, to spread a pass over two cores. {@link ProfileService} offers one only
 * while a profile slot is idle and nobody waits for it, so the pool's budget (docs/profiles.md)
 * holds: a profile never takes a connection that admitted work counts on.
 */
public final class SpareConnection {
    public static final SpareConnection NONE = new SpareConnection(Optional.empty());
    private final Optional<Database> db;

    private SpareConnection(Optional<Database> db) {
        this.db = db;
    }

    static SpareConnection of(Database db) {
        return new SpareConnection(Optional.of(requireNonNull(db, "db")));
    }

    public boolean available() {
        return db.isPresent();
    }

    /** Starts {@code work} on the spare connection; only when {@link #available()}. The caller closes the result. */
    public <T> Aside<T> start(SqlWork<T> work) {
        return db.orElseThrow(() -> new IllegalStateException("no spare connection")).aside(work);
    }
}
