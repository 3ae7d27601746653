package dev.dea.sql.mysql;

import dev.dea.sql.NamePatterns;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The tables the MySQL guard refuses. Entries are lower-case {@code table},
 * {@code schema.table} or {@code schema.*}, where {@code *} matches any run of characters.
 * MySQL has no search_path: an unqualified name means the connection's default database, so
 * a {@code schema.table} entry is reached only through that qualification (the default
 * database must not be a denied schema; see docs/sql-guard-mysql.md).
 */
final class DeniedTables {

    static final List<String> BUILT_IN = List.of(
            // Grant tables with password hashes, server logs, replication credentials.
            "mysql.*",
            // Other sessions' statements, server configuration and status, host and account data.
            "performance_schema.*", "sys.*",
            // information_schema is readable (the schema listing uses it) except what shows
            // other sessions' queries, server variables or accounts and their privileges.
            "information_schema.processlist", "information_schema.innodb_*",
            "information_schema.global_variables", "information_schema.session_variables",
            "information_schema.global_status", "information_schema.session_status",
            "information_schema.system_variables", "information_schema.user_privileges",
            "information_schema.schema_privileges", "information_schema.table_privileges",
            "information_schema.column_privileges", "information_schema.user_statistics",
            "information_schema.client_statistics", "information_schema.users",
            "information_schema.query_cache_info", "information_schema.query_response_time*",
            "information_schema.metadata_lock_info", "information_schema.thread_pool_*",
            "information_schema.wsrep_*", "information_schema.disks",
            // Roles and account attributes; data file paths; failed logins; server feedback.
            "information_schema.user_attributes", "information_schema.applicable_roles",
            "information_schema.enabled_roles", "information_schema.administrable_role_authorizations",
            "information_schema.role_*_grants", "information_schema.files",
            "information_schema.connection_control_failed_login_attempts", "information_schema.mysql_firewall_*",
            "information_schema.feedback");

    private record Rule(String entry, Pattern schema, Pattern table, boolean wholeSchema) {
        Rule {
            requireNonNull(entry, "entry");
            requireNonNull(table, "table");
        }
    }

    private final SortedSet<String> entries;
    private final List<Rule> rules;

    DeniedTables(Set<String> extraTables) {
        SortedSet<String> all = new TreeSet<>();
        List<String> source = new ArrayList<>(BUILT_IN);
        source.addAll(requireNonNull(extraTables, "extraDeniedTables"));
        for (String entry : source) {
            String e = entry == null ? "" : entry.strip().replace("`", "").toLowerCase(Locale.ROOT);
            if (!e.isEmpty()) {
                all.add(e);
            }
        }
        this.entries = Collections.unmodifiableSortedSet(all);
        this.rules = all.stream().map(DeniedTables::rule).toList();
    }

    SortedSet<String> entries() {
        return entries;
    }

    /** The entry denying {@code schema.table} ({@code schema} null when unqualified), or null. */
    String denied(String schema, String table) {
        for (Rule rule : rules) {
            if (rule.schema() == null) {
                if (rule.table().matcher(table).matches()) {
                    return rule.entry();
                }
            } else if (schema != null && rule.schema().matcher(schema).matches()
                    && (rule.wholeSchema() || rule.table().matcher(table).matches())) {
                return rule.entry();
            }
        }
        return null;
    }

    /**
     * Whether a name standing alone could reach a denied schema: {@code schema.*} entries
     * are refused wherever the schema's name appears as an identifier, whatever follows.
     */
    boolean deniesSchemaName(String identifier) {
        for (Rule rule : rules) {
            if (rule.wholeSchema() && rule.schema().matcher(identifier).matches()) {
                return true;
            }
        }
        return false;
    }

    private static Rule rule(String entry) {
        String[] parts = entry.split("\\.", -1);
        if (parts.length == 1) {
            return new Rule(entry, null, NamePatterns.glob(entry), false);
        }
        // A three-part entry keeps its last two parts; MySQL has no catalogs above schemas.
        String schema = parts[parts.length - 2];
        String table = parts[parts.length - 1];
        return new Rule(entry, NamePatterns.glob(schema), NamePatterns.glob(table), table.equals("*"));
    }

}
