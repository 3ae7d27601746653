package dev.dea.sql;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * A statement the guard let through.
 *
 * @param sql       the text exactly as received; this, not a re-printed form, is what runs
 * @param tables    relations read, lower case, {@code schema.table} when qualified, CTE names excluded
 * @param functions functions called, lower case, without schema (the MySQL guard keeps the
 *                  schema of stored functions: {@code schema.name})
 */
public record GuardedStatement(String sql, Set<String> tables, Set<String> functions) {

    public GuardedStatement {
        requireNonNull(sql, "sql");
        // Sorted copies: stable order in logs and responses, and callers cannot mutate them.
        tables = Collections.unmodifiableSortedSet(new TreeSet<>(requireNonNull(tables, "tables")));
        functions = Collections.unmodifiableSortedSet(new TreeSet<>(requireNonNull(functions, "functions")));
    }
}
