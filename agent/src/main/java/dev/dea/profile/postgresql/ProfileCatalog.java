package dev.dea.profile.postgresql;

import dev.dea.error.AgentException;
import dev.dea.schema.TableInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fresh catalog facts for the table being profiled. The cached schema resolved the name; the
 * columns are read again here because the table may have changed since, and because profiling
 * needs type details (operator classes, domain and array layers) the schema model does not carry.
 */
final class ProfileCatalog {
    private static final Pattern PLAN_ROWS = Pattern.compile("rows=(\\d+)");

    private ProfileCatalog() {
    }

    record Relation(boolean populated, List<ColumnFacts> columns) {
    }

    /*
     * chain walks from the column type through domains and array elements; base is the first
     * non-domain type on it (what a cast strips the domain to), leaf the last (what decides the stats).
     */
    private static final String COLUMNS = """
            WITH RECURSIVE rel AS (
              SELECT c.oid, c.relispopulated FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = ? AND c.relname = ?
            ), cols AS (
              SELECT a.attnum, a.attname, a.atttypid,
                     pg_catalog.format_type(a.atttypid, a.atttypmod) AS type
              FROM rel JOIN pg_catalog.pg_attribute a ON a.attrelid = rel.oid
              WHERE a.attnum > 0 AND NOT a.attisdropped
                AND pg_catalog.has_column_privilege(rel.oid, a.attnum, 'SELECT')
            ), chain AS (
              SELECT attnum, atttypid AS typid, 0 AS depth FROM cols
              UNION ALL
              SELECT ch.attnum, CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.typelem END, ch.depth + 1
              FROM chain ch JOIN pg_catalog.pg_type t ON t.oid = ch.typid
              WHERE (t.typtype = 'd' OR (t.typcategory = 'A' AND t.typelem <> 0)) AND ch.depth < 16
            ), base AS (
              SELECT DISTINCT ON (ch.attnum) ch.attnum, ch.typid FROM chain ch
              JOIN pg_catalog.pg_type t ON t.oid = ch.typid
              WHERE t.typtype <> 'd' ORDER BY ch.attnum, ch.depth
            ), leaf AS (
              SELECT DISTINCT ON (attnum) attnum, typid FROM chain ORDER BY attnum, depth DESC
            )
            SELECT c.attname, c.type, ct.typtype = 'd' AS is_domain,
                   pg_catalog.format_type(b.typid, NULL) AS base_sql_type,
                   bt.typcategory = 'A' AND bt.typelem <> 0 AS is_array,
                   lt.typname AS leaf_type, lt.typtype::text AS leaf_typtype, lt.typcategory::text AS leaf_category,
                   ops.*
            FROM cols c
            JOIN pg_catalog.pg_type ct ON ct.oid = c.atttypid
            JOIN base b ON b.attnum = c.attnum JOIN pg_catalog.pg_type bt ON bt.oid = b.typid
            JOIN leaf l ON l.attnum = c.attnum JOIN pg_catalog.pg_type lt ON lt.oid = l.typid
            -- Candidates for the leaf's default btree/hash operator class, counted the way
            -- PostgreSQL's GetDefaultOpClass counts them (see hasDefaultOpClass).
            CROSS JOIN LATERAL (
              SELECT count(*) FILTER (WHERE am.amname = 'btree' AND oc.opcintype = lt.oid) AS btree_exact,
                     count(*) FILTER (WHERE am.amname = 'btree' AND oc.opcintype <> lt.oid
                                      AND it.typcategory = lt.typcategory AND it.typispreferred) AS btree_preferred,
                     count(*) FILTER (WHERE am.amname = 'btree' AND oc.opcintype <> lt.oid) AS btree_coercible,
                     count(*) FILTER (WHERE am.amname = 'hash' AND oc.opcintype = lt.oid) AS hash_exact,
                     count(*) FILTER (WHERE am.amname = 'hash' AND oc.opcintype <> lt.oid
                                      AND it.typcategory = lt.typcategory AND it.typispreferred) AS hash_preferred,
                     count(*) FILTER (WHERE am.amname = 'hash' AND oc.opcintype <> lt.oid) AS hash_coercible
              FROM pg_catalog.pg_opclass oc
              JOIN pg_catalog.pg_am am ON am.oid = oc.opcmethod
              JOIN pg_catalog.pg_type it ON it.oid = oc.opcintype
              WHERE oc.opcdefault AND am.amname IN ('btree', 'hash')
                AND (oc.opcintype = lt.oid OR EXISTS (
                    SELECT 1 FROM pg_catalog.pg_cast k
                    WHERE k.castsource = lt.oid AND k.casttarget = oc.opcintype AND k.castmethod = 'b'))
            ) ops
            ORDER BY c.attnum
            """;

    static Relation read(Connection c, TableInfo table) throws SQLException {
        boolean populated;
        try (PreparedStatement ps = c.prepareStatement("SELECT c.relispopulated FROM pg_catalog.pg_class c "
                + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw AgentException.notFound("Table '" + table.qualifiedName() + "' no longer exists");
                }
                populated = rs.getBoolean(1);
            }
        }
        List<ColumnFacts> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(COLUMNS)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    boolean btree = hasDefaultOpClass(rs, "btree");
                    columns.add(new ColumnFacts(
                            rs.getString("attname"),
                            rs.getString("type"),
                            rs.getBoolean("is_domain"),
                            rs.getString("base_sql_type"),
                            rs.getString("leaf_type"),
                            rs.getString("leaf_typtype").charAt(0),
                            rs.getString("leaf_category").charAt(0),
                            rs.getBoolean("is_array"),
                            btree,
                            btree || hasDefaultOpClass(rs, "hash")));
                }
            }
        }
        return new Relation(populated, columns);
    }

    /**
     * Whether PostgreSQL would find a default operator class: an exact one, else the single
     * binary-coercible one of a preferred type of the same category, else the single coercible one.
     * xml, coercible to both text and bpchar, has none, and so cannot be compared or grouped.
     */
    private static boolean hasDefaultOpClass(ResultSet rs, String method) throws SQLException {
        long exact = rs.getLong(method + "_exact");
        long preferred = rs.getLong(method + "_preferred");
        long coercible = rs.getLong(method + "_coercible");
        return exact == 1 || exact == 0 && (preferred == 1 || preferred == 0 && coercible == 1);
    }

    /** The planner's row estimate for a source expression: what EXPLAIN says, without running it. */
    static OptionalLong plannerEstimate(Connection c, String source) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("EXPLAIN SELECT 1 FROM " + source)) {
            if (rs.next()) {
                Matcher m = PLAN_ROWS.matcher(rs.getString(1));
                if (m.find()) {
                    return OptionalLong.of(Long.parseLong(m.group(1)));
                }
            }
        }
        return OptionalLong.empty();
    }
}
