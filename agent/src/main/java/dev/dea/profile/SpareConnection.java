package dev.dea.profile;

import dev.dea.admission.Admission;
import dev.dea.db.Aside;
import dev.dea.db.Database;
import dev.dea.db.SqlWork;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A second read-only connection a {@link TableProfiler} may run one statement on, alongside
 * its own, to spread a pass over two cores. It is lent per statement, only while a profile
 * slot is idle and nobody waits for one, and given back when that statement ends: the pool's
 * budget (docs/profiles.md) holds, and a profile that arrives meanwhile waits at most for the
 * end of one statement.
 */
public final class SpareConnection {
    public static final SpareConnection NONE = new SpareConnection(null, null);
    private final Database db;
    private final Admission slots;

    private SpareConnection(Database db, Admission slots) {
        this.db = db;
        this.slots = slots;
    }

    static SpareConnection of(Database db, Admission slots) {
        return new SpareConnection(requireNonNull(db, "db"), requireNonNull(slots, "slots"));
    }

    /**
     * Starts {@code work} on a spare connection, or returns empty when none is free now (the
     * caller does the work itself). The caller closes the result.
     */
    public <T> Optional<Aside<T>> start(SqlWork<T> work) {
        requireNonNull(work, "work");
        if (db == null || !slots.tryAcquireSpare()) {
            return Optional.empty();
        }
        try {
            return Optional.of(db.aside(work).whenEnded(slots::releaseSpare));
        } catch (RuntimeException | Error e) {
            slots.releaseSpare();
            throw e;
        }
    }
}
