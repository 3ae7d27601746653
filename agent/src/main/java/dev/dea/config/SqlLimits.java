package dev.dea.config;

import java.time.Duration;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/** Bounds on SQL execution and the guard's configurable deny-lists (added to the built-in ones). */
public record SqlLimits(
        Duration statementTimeout,
        Duration lockTimeout,
        Duration idleInTransactionTimeout,
        long maxRows,
        int fetchSize,
        int maxPreviewRows,
        Set<String> extraDeniedFunctions,
        Set<String> extraDeniedTables) {

    public SqlLimits {
        requireNonNull(statementTimeout, "statementTimeout");
        requireNonNull(lockTimeout, "lockTimeout");
        requireNonNull(idleInTransactionTimeout, "idleInTransactionTimeout");
        extraDeniedFunctions = Set.copyOf(extraDeniedFunctions);
        extraDeniedTables = Set.copyOf(extraDeniedTables);
    }
}
