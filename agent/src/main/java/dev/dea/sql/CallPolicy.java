package dev.dea.sql;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Which functions, operators and casts a statement may use: denied by default. A function is
 * allowed when it is
 * <ul>
 *   <li>built in (schema pg_catalog) and every overload of its name is immutable or stable,
 *       or its name is on {@link #REVIEWED_VOLATILE}, and it is not on the deny-list
 *       ({@link DenyList}: stable functions that still reach outside the query, plus the
 *       operator's SQL_DENIED_FUNCTIONS); or</li>
 *   <li>in a schema the operator named (SQL_ALLOW_FUNCTION_SCHEMAS) and not on the deny-list.</li>
 * </ul>
 * Everything else, including every function the catalog does not know, is refused. An
 * operator is allowed when every operator of its name visible on the search path runs an
 * allowed function; a cast when every function converting to its type is allowed.
 * docs/sql-guard.md lists the rule and says why each volatile exception is safe.
 */
final class CallPolicy {

    static final String BUILT_IN_SCHEMA = "pg_catalog";

    /**
     * Volatile built-ins an analysis uses that touch nothing outside the statement: they read
     * the clock, draw random numbers without changing the session's seed, or read sizes and
     * partition trees from the catalog. Why each is safe is in docs/sql-guard.md.
     */
    static final Set<String> REVIEWED_VOLATILE = Set.of(
            "random", "random_normal", "clock_timestamp", "timeofday", "gen_random_uuid",
            "pg_relation_size", "pg_total_relation_size", "pg_table_size", "pg_indexes_size",
            "pg_database_size", "pg_tablespace_size", "pg_partition_tree", "pg_partition_ancestors",
            "pg_is_in_recovery", "pg_jit_available");

    /** Table sampling methods: handler functions PostgreSQL calls only inside TABLESAMPLE. */
    static final Set<String> SAMPLING_METHODS = Set.of("bernoulli", "system");

    private final Set<String> visibleSchemas;
    /** schema -> names allowed there. */
    private final Map<String, Set<String>> allowed = new HashMap<>();
    /** schema -> every function name there. */
    private final Map<String, Set<String>> known = new HashMap<>();
    /** Names with a one-argument form, i.e. callable as {@code (x).name}, that are not allowed in some visible schema. */
    private final Set<String> deniedFieldCalls = new HashSet<>();
    private final Set<String> allowedOperators = new HashSet<>();
    private final Set<String> deniedOperators = new HashSet<>();
    private final Map<String, String> deniedConversions = new HashMap<>();
    private final CallCatalog catalog;

    CallPolicy(CallCatalog catalog, DenyList deny, Set<String> allowedSchemas, List<String> searchPath) {
        this.catalog = requireNonNull(catalog, "catalog");
        requireNonNull(deny, "deny");
        Set<String> namedSchemas = new HashSet<>();
        requireNonNull(allowedSchemas, "allowedSchemas").forEach(s -> namedSchemas.add(s.strip()));
        Set<String> visible = new LinkedHashSet<>();
        visible.add(BUILT_IN_SCHEMA);
        for (String s : requireNonNull(searchPath, "searchPath")) {
            String schema = s.strip();
            if (!schema.isEmpty() && !schema.equals("$user")) {
                visible.add(schema.startsWith("\"") ? schema.substring(1, schema.length() - 1) : schema);
            }
        }
        this.visibleSchemas = Set.copyOf(visible);

        Map<String, Set<String>> tainted = new HashMap<>();
        for (CallCatalog.Function f : catalog.functions()) {
            known.computeIfAbsent(f.schema(), k -> new HashSet<>()).add(f.name());
            if (!permits(f, deny, namedSchemas)) {
                tainted.computeIfAbsent(f.schema(), k -> new HashSet<>()).add(f.name());
            }
        }
        known.forEach((schema, names) -> {
            Set<String> ok = new HashSet<>(names);
            ok.removeAll(tainted.getOrDefault(schema, Set.of()));
            allowed.put(schema, ok);
        });
        for (CallCatalog.Function f : catalog.functions()) {
            if (visibleSchemas.contains(f.schema()) && f.takesOneArgument() && !allows(f.schema(), f.name())) {
                deniedFieldCalls.add(f.name());
            }
        }
        for (CallCatalog.Operator o : catalog.operators()) {
            if (!visibleSchemas.contains(o.schema())) {
                continue;
            }
            if (allows(o.functionSchema(), o.function())) {
                allowedOperators.add(o.name());
            } else {
                deniedOperators.add(o.name());
            }
        }
        allowedOperators.removeAll(deniedOperators);
        for (CallCatalog.TypeConversion c : catalog.conversions()) {
            if (!allows(c.functionSchema(), c.function())) {
                deniedConversions.putIfAbsent(c.type(), c.functionSchema() + "." + c.function());
            }
        }
    }

    private static boolean permits(CallCatalog.Function f, DenyList deny, Set<String> namedSchemas) {
        if (deny.deniesFunction(f.name().toLowerCase(Locale.ROOT))) {
            return false;
        }
        if (f.schema().equals(BUILT_IN_SCHEMA)) {
            return f.volatility() != 'v' || REVIEWED_VOLATILE.contains(f.name());
        }
        return namedSchemas.contains(f.schema());
    }

    /** {@code schema.name(...)}: every overload of {@code name} in {@code schema} is allowed. */
    boolean allows(String schema, String name) {
        return allowed.getOrDefault(schema, Set.of()).contains(name);
    }

    /**
     * {@code name(...)} resolved through the search path: PostgreSQL may pick an overload from
     * any visible schema, so every visible overload must be allowed, and at least one must exist.
     */
    boolean allowsUnqualified(String name) {
        boolean found = false;
        for (String schema : visibleSchemas) {
            if (known.getOrDefault(schema, Set.of()).contains(name)) {
                if (!allows(schema, name)) {
                    return false;
                }
                found = true;
            }
        }
        return found;
    }

    /** True when some visible function of this name is a function at all (allowed or not). */
    boolean isVisibleFunction(String name) {
        for (String schema : visibleSchemas) {
            if (known.getOrDefault(schema, Set.of()).contains(name)) {
                return true;
            }
        }
        return false;
    }

    /** {@code (x).name} or {@code alias.name} would call a function that is not allowed, if name is no column. */
    boolean deniesFieldCall(String name) {
        return deniedFieldCalls.contains(name);
    }

    boolean allowsOperator(String name) {
        return allowedOperators.contains(name);
    }

    /** The function converting to {@code type} would run that is not allowed, or null. */
    String deniedConversion(String type) {
        return deniedConversions.get(type);
    }

    Character keywordCategory(String word) {
        return catalog.keywordCategory(word);
    }
}
