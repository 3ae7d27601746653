package dev.dea.schema.postgresql;

/**
 * The pg_catalog queries behind the schema model. Each covers the whole database in one
 * statement (a 2,000-table database costs the same six round trips as a 10-table one), and
 * all of them restrict themselves to the same set of visible relations.
 */
final class CatalogQueries {
    private CatalogQueries() {
    }

    /** pg_* schemas are reserved for the system (pg_catalog, pg_toast, other sessions' pg_temp_N). */
    static final String USER_SCHEMA = "n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'";

    /**
     * Relations the agent's role can read at least one column of; a role without any grant
     * simply sees an empty schema. Column-level grants count, which has_table_privilege would miss.
     */
    private static final String VISIBLE_RELATIONS = """
            WITH rels AS (
              SELECT c.oid FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND %s
                AND pg_catalog.has_any_column_privilege(c.oid, 'SELECT')
            )
            """.formatted(USER_SCHEMA);

    static final String SERVER = """
            SELECT pg_catalog.current_setting('server_version'),
                   pg_catalog.array_to_string(pg_catalog.current_schemas(false), ',')
            """;

    static final String RELATIONS = VISIBLE_RELATIONS + """
            SELECT c.oid, n.nspname, c.relname,
                   pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS qualified,
                   c.relkind::text, c.relispartition,
                   pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(pc.relname) AS parent,
                   pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS partition_bound,
                   CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key,
                   d.description,
                   -- A partitioned parent has no rows of its own: its estimate is the sum over its leaves.
                   CASE WHEN c.relkind = 'p' THEN (
                       SELECT sum(l.reltuples::float8) FILTER (WHERE l.reltuples >= 0)
                       FROM pg_catalog.pg_partition_tree(c.oid) pt
                       JOIN pg_catalog.pg_class l ON l.oid = pt.relid
                       WHERE pt.isleaf)
                     WHEN c.relkind IN ('v') THEN NULL
                     WHEN c.reltuples >= 0 THEN c.reltuples::float8 END AS approx_rows,
                   c.relispopulated
            FROM rels r
            JOIN pg_catalog.pg_class c ON c.oid = r.oid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_catalog.pg_inherits i ON i.inhrelid = c.oid AND c.relispartition
            LEFT JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent
            LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
            LEFT JOIN pg_catalog.pg_description d
                   ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
            ORDER BY n.nspname, c.relname
            """;

    /*
     * s is the column type with a domain peeled off, e the element type when s is an array.
     * Domain and enum facts are reported for arrays of them too (text of enum[] still needs the labels).
     */
    static final String COLUMNS = VISIBLE_RELATIONS + """
            SELECT a.attrelid, a.attname, a.attnum,
                   pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
                   NOT a.attnotnull AS nullable, a.attidentity::text, a.attgenerated::text,
                   pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS default_expr,
                   d.description,
                   CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.oid, NULL)
                        WHEN e.typtype = 'd' THEN pg_catalog.format_type(e.oid, NULL) END AS domain_name,
                   CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod)
                        WHEN e.typtype = 'd' THEN pg_catalog.format_type(e.typbasetype, e.typtypmod) || '[]'
                   END AS base_type,
                   s.typcategory = 'A' AND s.typelem <> 0 AS is_array,
                   CASE WHEN e.typtype = 'e' THEN e.oid WHEN eb.typtype = 'e' THEN eb.oid END AS enum_oid
            FROM rels r
            JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid
            JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
            JOIN pg_catalog.pg_type s ON s.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
            JOIN pg_catalog.pg_type e
                 ON e.oid = CASE WHEN s.typcategory = 'A' AND s.typelem <> 0 THEN s.typelem ELSE s.oid END
            LEFT JOIN pg_catalog.pg_type eb ON e.typtype = 'd' AND eb.oid = e.typbasetype
            LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
            LEFT JOIN pg_catalog.pg_description d
                   ON d.objoid = a.attrelid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = a.attnum
            WHERE a.attnum > 0 AND NOT a.attisdropped
              AND pg_catalog.has_column_privilege(a.attrelid, a.attnum, 'SELECT')
            ORDER BY a.attrelid, a.attnum
            """;

    /*
     * Primary and foreign keys. When the referenced table is partitioned, PostgreSQL adds one
     * internal clone of the foreign key per referenced partition (same conrelid, conparentid set):
     * those are implementation detail and skipped. Clones on referencing partitions are kept:
     * for a partition they are its real foreign keys.
     */
    static final String KEYS = VISIBLE_RELATIONS + """
            SELECT k.conrelid, k.conname, k.contype::text,
                   ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(attnum, ord)
                         JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
                         ORDER BY u.ord) AS columns,
                   pg_catalog.quote_ident(fn.nspname) || '.' || pg_catalog.quote_ident(fc.relname) AS ref_table,
                   ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(attnum, ord)
                         JOIN pg_catalog.pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum
                         ORDER BY u.ord) AS ref_columns,
                   k.confdeltype::text, k.confupdtype::text
            FROM rels r
            JOIN pg_catalog.pg_constraint k ON k.conrelid = r.oid
            LEFT JOIN pg_catalog.pg_class fc ON fc.oid = k.confrelid
            LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
            WHERE k.contype IN ('p', 'f')
              AND NOT (k.contype = 'f' AND EXISTS (
                  SELECT 1 FROM pg_catalog.pg_constraint pk
                  WHERE pk.oid = k.conparentid AND pk.conrelid = k.conrelid))
            ORDER BY k.conrelid, k.conname
            """;

    static final String INDEXES = VISIBLE_RELATIONS + """
            SELECT x.indrelid, ic.relname, x.indisunique, x.indisprimary, am.amname,
                   pg_catalog.pg_get_indexdef(x.indexrelid) AS definition,
                   ARRAY(SELECT pg_catalog.pg_get_indexdef(x.indexrelid, k, true)
                         FROM generate_series(1, x.indnkeyatts) k ORDER BY k) AS columns
            FROM rels r
            JOIN pg_catalog.pg_index x ON x.indrelid = r.oid
            JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
            JOIN pg_catalog.pg_am am ON am.oid = ic.relam
            ORDER BY x.indrelid, ic.relname
            """;

    static final String ENUMS = """
            SELECT t.oid, n.nspname, t.typname,
                   ARRAY(SELECT e.enumlabel FROM pg_catalog.pg_enum e
                         WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels
            FROM pg_catalog.pg_type t
            JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
            WHERE t.typtype = 'e' AND %s
            ORDER BY n.nspname, t.typname
            """.formatted(USER_SCHEMA);

    static final String DOMAINS = """
            SELECT n.nspname, t.typname, pg_catalog.format_type(t.typbasetype, t.typtypmod) AS base_type,
                   NOT t.typnotnull AS nullable, t.typdefault,
                   (SELECT string_agg(pg_catalog.pg_get_constraintdef(k.oid, true), ' ' ORDER BY k.conname)
                    FROM pg_catalog.pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c') AS checks
            FROM pg_catalog.pg_type t
            JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
            WHERE t.typtype = 'd' AND %s
            ORDER BY n.nspname, t.typname
            """.formatted(USER_SCHEMA);
}
