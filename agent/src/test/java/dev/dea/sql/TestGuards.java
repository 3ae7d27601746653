package dev.dea.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import dev.dea.testing.TestPostgres;

/**
 * Guards for tests, holding the call allow-list of the machine's real PostgreSQL: its catalog
 * is read once per test JVM, as the agent reads it once per server.
 */
public final class TestGuards {

    private static CallCatalog catalog;

    private TestGuards() {
    }

    /** The catalog of the test server (the {@code postgres} database; built-ins are the same in every database). */
    public static synchronized CallCatalog catalog() {
        if (catalog == null) {
            try (Connection c = TestPostgres.connect("postgres")) {
                catalog = CallCatalog.load(c);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the test server's catalog: " + e.getMessage(), e);
            }
        }
        return catalog;
    }

    /** The default guard: built-in deny-lists, built-in functions only, search_path public. */
    public static SqlGuard guard() {
        return guard(Set.of(), Set.of());
    }

    public static SqlGuard guard(Set<String> extraDeniedFunctions, Set<String> extraDeniedTables) {
        return new SqlGuard(extraDeniedFunctions, extraDeniedTables, Set.of(), List.of("public"), TestGuards::catalog);
    }

    static SqlGuard guard(Set<String> extraDeniedFunctions, Set<String> extraDeniedTables, Duration parseTimeout) {
        return new SqlGuard(extraDeniedFunctions, extraDeniedTables, Set.of(), List.of("public"), TestGuards::catalog,
                parseTimeout);
    }
}
