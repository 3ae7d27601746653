package dev.dea.config;

import java.time.Duration;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Bounds on SQL execution and the guard's configuration: deny-lists added to the built-in ones, and
 * the schemas whose functions are allowed besides the built-in ones (SQL_ALLOW_FUNCTION_SCHEMAS).
 *
 * @param fetchSize         most rows fetched per round trip; the first fetch takes at most
 *                          {@link #FIRST_FETCH_ROWS}, later ones as many as fit {@code resultBufferBytes}
 * @param resultBufferBytes most bytes of one fetched batch the driver may hold; a batch of rows
 *                          larger than this (a single huge row, or the first fetch) is RESULT_TOO_LARGE
 */
public record SqlLimits(
        Duration statementTimeout,
        Duration lockTimeout,
        Duration idleInTransactionTimeout,
        long maxRows,
        int fetchSize,
        int maxPreviewRows,
        Set<String> extraDeniedFunctions,
        Set<String> extraDeniedTables,
        long resultBufferBytes,
        Set<String> allowedFunctionSchemas) {

    /** Rows of the first fetch, before the driver has seen how large the rows are. */
    public static final int FIRST_FETCH_ROWS = 32;

    public SqlLimits {
        requireNonNull(statementTimeout, "statementTimeout");
        requireNonNull(lockTimeout, "lockTimeout");
        requireNonNull(idleInTransactionTimeout, "idleInTransactionTimeout");
        extraDeniedFunctions = Set.copyOf(extraDeniedFunctions);
        extraDeniedTables = Set.copyOf(extraDeniedTables);
        allowedFunctionSchemas = Set.copyOf(allowedFunctionSchemas);
        if (resultBufferBytes < 1) {
            throw new IllegalArgumentException("resultBufferBytes must be positive, got " + resultBufferBytes);
        }
    }

    public SqlLimits(Duration statementTimeout, Duration lockTimeout, Duration idleInTransactionTimeout, long maxRows,
                     int fetchSize, int maxPreviewRows, Set<String> extraDeniedFunctions, Set<String> extraDeniedTables) {
        this(statementTimeout, lockTimeout, idleInTransactionTimeout, maxRows, fetchSize, maxPreviewRows,
                extraDeniedFunctions, extraDeniedTables, defaultResultBufferBytes(10), Set.of());
    }

    /** Only built-in functions allowed (no SQL_ALLOW_FUNCTION_SCHEMAS). */
    public SqlLimits(Duration statementTimeout, Duration lockTimeout, Duration idleInTransactionTimeout, long maxRows,
                     int fetchSize, int maxPreviewRows, Set<String> extraDeniedFunctions, Set<String> extraDeniedTables,
                     long resultBufferBytes) {
        this(statementTimeout, lockTimeout, idleInTransactionTimeout, maxRows, fetchSize, maxPreviewRows,
                extraDeniedFunctions, extraDeniedTables, resultBufferBytes, Set.of());
    }

    /**
     * A quarter of the heap shared by the pool's connections, and at least 8 MiB: every connection
     * may hold a batch at once, and the rest of the heap serves everything else.
     */
    public static long defaultResultBufferBytes(int poolSize) {
        return Math.max(8L << 20, Runtime.getRuntime().maxMemory() / 4 / Math.max(1, poolSize));
    }

    public int firstFetchRows() {
        return Math.min(fetchSize, FIRST_FETCH_ROWS);
    }
}
