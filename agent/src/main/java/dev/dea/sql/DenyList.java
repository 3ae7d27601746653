package dev.dea.sql;

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
 * The functions and tables the guard refuses. Entries are lower-case names where {@code *}
 * matches any run of characters ({@code pg_sleep*}, {@code *_to_xml}); table entries may be
 * qualified ({@code schema.table}, {@code schema.*}). Comparison is on lower-cased names,
 * so quoting or upper case cannot dodge an entry.
 */
final class DenyList {

    /**
     * Functions whose effect escapes the read-only, rolled-back transaction the query runs
     * in, or which run SQL text the guard cannot see. Grouped by reason; see docs/sql-guard.md.
     */
    static final List<String> BUILT_IN_FUNCTIONS = List.of(
            // Hold a connection and a request thread for as long as asked.
            "pg_sleep*",
            // Open connections to other servers, outside this transaction; take SQL as text.
            "dblink*",
            // Server file system.
            "pg_read_file", "pg_read_binary_file", "pg_ls_*", "pg_stat_file", "pg_file_*", "pg_logdir_ls",
            // Large objects: server-side file import/export and objects outside table privileges.
            "lo_*", "loread", "lowrite",
            // Session configuration.
            "set_config",
            // Session-level advisory locks survive the rollback.
            "pg_advisory*", "pg_try_advisory*",
            "pg_notify",
            // Signal other backends or the server.
            "pg_cancel_backend", "pg_terminate_backend", "pg_signal_backend", "pg_reload_conf",
            "pg_rotate_logfile*", "pg_log_backend_memory_contexts",
            // Assign a transaction id (a write) or consume a sequence value (not rolled back).
            "txid_current*", "pg_current_xact_id*", "nextval", "setval",
            // Execute SQL passed as a string, invisible to this guard.
            "query_to_xml*", "*_to_xml", "*_to_xmlschema", "*_to_xml_and_xmlschema", "cursor_to_xml",
            "ts_stat", "ts_rewrite",
            // WAL, backup, replication and statistics administration.
            "pg_switch_wal", "pg_switch_xlog", "pg_create_restore_point", "pg_promote",
            "pg_backup_start", "pg_backup_stop", "pg_start_backup", "pg_stop_backup",
            "pg_logical_emit_message", "pg_replication_*", "pg_create_*_replication_slot",
            "pg_copy_*_replication_slot", "pg_drop_replication_slot", "pg_logical_slot_*",
            "pg_wal_replay_*", "pg_stat_reset*",
            "pg_import_system_collations",
            // Stable or immutable, yet reaching outside the query: server settings and build,
            // other sessions' activity, statistics, paths and files on the server, own-session state.
            "current_setting", "pg_show_all_settings", "pg_settings_get_flags", "pg_config",
            "pg_show_all_file_settings", "pg_hba_file_rules", "pg_ident_file_mappings",
            "pg_stat_*", "pg_get_replication_slots", "pg_lock_status", "pg_blocking_pids",
            "pg_safe_snapshot_blocking_pids", "pg_listening_channels", "pg_cursor", "pg_prepared_statement",
            "pg_prepared_xact", "pg_get_backend_memory_contexts", "pg_get_shmem_allocations",
            "pg_relation_filepath", "pg_tablespace_location", "pg_current_logfile", "pg_available_extension*",
            "pg_extension_update_paths", "pg_nextoid", "pg_export_snapshot", "setseed", "currval", "lastval",
            "pg_current_snapshot", "txid_current_snapshot", "pg_current_xact_id_if_assigned",
            "txid_current_if_assigned", "pg_xact_status", "txid_status", "pg_get_wal_*", "pg_control_*");

    /** Catalogs holding password hashes, server files, user-mapping secrets or sampled row data. */
    static final List<String> BUILT_IN_TABLES = List.of(
            "pg_authid", "pg_shadow", "pg_user_mapping", "pg_user_mappings", "pg_largeobject",
            "pg_file_settings", "pg_hba_file_rules", "pg_ident_file_mappings",
            "pg_statistic", "pg_statistic_ext_data", "pg_subscription",
            // information_schema's views of the user mappings show their options, passwords
            // included, to the mapping's user; per-role settings may hold secrets too (PostgREST's
            // ALTER ROLE ... SET pgrst.jwt_secret), and pg_roles and pg_user show them to anyone.
            "user_mapping_options", "_pg_user_mappings", "pg_db_role_setting", "pg_roles", "pg_user",
            // Views over denied functions: other sessions' queries, locks, settings, server state.
            "pg_stat_activity", "pg_stat_ssl", "pg_stat_gssapi", "pg_stat_replication*", "pg_stat_wal_receiver",
            "pg_stat_subscription*", "pg_stat_progress_*", "pg_stat_statements*", "pg_locks", "pg_settings",
            "pg_config", "pg_backend_memory_contexts", "pg_shmem_allocations", "pg_prepared_xacts",
            "pg_replication_slots", "pg_available_extensions", "pg_available_extension_versions");

    /** {@code schema} is null for an entry that applies in every schema. */
    private record TableRule(String entry, Pattern schema, Pattern table, boolean wildcardTable) {
        TableRule {
            requireNonNull(entry, "entry");
            requireNonNull(table, "table");
        }
    }

    private final SortedSet<String> functionEntries;
    private final SortedSet<String> tableEntries;
    private final List<Pattern> functionPatterns;
    private final List<TableRule> tableRules;

    DenyList(Set<String> extraFunctions, Set<String> extraTables) {
        SortedSet<String> functions = new TreeSet<>();
        for (String entry : concat(BUILT_IN_FUNCTIONS, requireNonNull(extraFunctions, "extraDeniedFunctions"))) {
            String normalized = normalizeFunction(entry);
            if (!normalized.isEmpty()) {
                functions.add(normalized);
            }
        }
        SortedSet<String> tables = new TreeSet<>();
        for (String entry : concat(BUILT_IN_TABLES, requireNonNull(extraTables, "extraDeniedTables"))) {
            String normalized = normalizeTable(entry);
            if (!normalized.isEmpty()) {
                tables.add(normalized);
            }
        }
        this.functionEntries = Collections.unmodifiableSortedSet(functions);
        this.tableEntries = Collections.unmodifiableSortedSet(tables);
        this.functionPatterns = functions.stream().map(NamePatterns::glob).toList();
        this.tableRules = tables.stream().map(DenyList::tableRule).toList();
    }

    SortedSet<String> functions() {
        return functionEntries;
    }

    SortedSet<String> tables() {
        return tableEntries;
    }

    /** {@code name} is the unqualified function name in {@link PgNames#key} form. */
    boolean deniesFunction(String name) {
        for (Pattern p : functionPatterns) {
            if (p.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The entry denying the relation, or null. An unqualified name also matches
     * {@code schema.table} entries, because search_path may resolve it to that schema.
     */
    String deniedRelation(String schema, String table) {
        for (TableRule rule : tableRules) {
            boolean tableMatches = rule.table().matcher(table).matches();
            if (rule.schema() == null) {
                if (tableMatches) {
                    return rule.entry();
                }
            } else if (schema != null) {
                if (tableMatches && rule.schema().matcher(schema).matches()) {
                    return rule.entry();
                }
            } else if (tableMatches && !rule.wildcardTable()) {
                return rule.entry();
            }
        }
        return null;
    }

    /**
     * Whether a bare identifier in the text could name a denied relation (or, for
     * {@code schema.*} entries, the denied schema). Used to audit names the parser's tree
     * does not account for.
     */
    boolean deniesTableToken(String identifier) {
        for (TableRule rule : tableRules) {
            if (rule.schema() == null || !rule.wildcardTable()) {
                if (rule.table().matcher(identifier).matches()) {
                    return true;
                }
            } else if (rule.schema().matcher(identifier).matches()) {
                return true;
            }
        }
        return false;
    }

    // Configuration says lower-case, but a stray quote or capital must not silently disable an entry.
    private static String clean(String entry) {
        return entry == null ? "" : entry.strip().replace("\"", "").toLowerCase(Locale.ROOT);
    }

    /** Functions are matched by name whatever the schema, so a schema in the entry is dropped. */
    private static String normalizeFunction(String entry) {
        String e = clean(entry);
        int dot = e.lastIndexOf('.');
        return dot >= 0 ? e.substring(dot + 1) : e;
    }

    /** Keeps at most {@code schema.table}; a database prefix means nothing on one connection. */
    private static String normalizeTable(String entry) {
        String e = clean(entry);
        String[] parts = e.split("\\.", -1);
        if (parts.length <= 2) {
            return e;
        }
        return parts[parts.length - 2] + "." + parts[parts.length - 1];
    }

    private static TableRule tableRule(String entry) {
        int dot = entry.indexOf('.');
        if (dot < 0) {
            return new TableRule(entry, null, NamePatterns.glob(entry), entry.contains("*"));
        }
        String table = entry.substring(dot + 1);
        return new TableRule(entry, NamePatterns.glob(entry.substring(0, dot)), NamePatterns.glob(table), table.contains("*"));
    }


    private static List<String> concat(List<String> builtIn, Set<String> extra) {
        List<String> all = new ArrayList<>(builtIn);
        all.addAll(extra);
        return all;
    }
}
