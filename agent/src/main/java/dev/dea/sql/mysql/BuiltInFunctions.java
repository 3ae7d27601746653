package dev.dea.sql.mysql;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * The reviewed static allow-list of MySQL and MariaDB built-in functions. Neither server has a
 * catalog of its built-ins to read (no pg_proc), so unlike the PostgreSQL guard the list is
 * written here, one group per kind of analysis, and everything else is refused: new or
 * unknown built-ins, UDFs (CREATE FUNCTION ... SONAME, such as sys_exec) and stored functions.
 * Groups and the reasoning for each are in docs/sql-guard-mysql.md.
 */
final class BuiltInFunctions {

    record Group(String name, List<String> functions) {
        Group {
            requireNonNull(name, "name");
            functions = List.copyOf(functions);
        }
    }

    static final List<Group> ALLOWED = List.of(
            new Group("string", List.of(
                    "ascii", "bin", "bit_length", "char", "char_length", "character_length", "chr", "concat",
                    "concat_ws", "elt", "export_set", "field", "find_in_set", "format", "from_base64", "hex",
                    "insert", "instr", "lcase", "left", "length", "locate", "lower", "lpad", "ltrim", "make_set",
                    "mid", "oct", "octet_length", "ord", "position", "quote", "regexp_instr", "regexp_like",
                    "regexp_replace", "regexp_substr", "repeat", "replace", "reverse", "right", "rpad", "rtrim",
                    "soundex", "space", "strcmp", "substr", "substring", "substring_index", "to_base64", "trim",
                    "ucase", "unhex", "upper", "weight_string", "charset", "collation", "coercibility")),
            new Group("numeric", List.of(
                    "abs", "acos", "asin", "atan", "atan2", "bit_count", "ceil", "ceiling", "conv", "cos", "cot",
                    "crc32", "degrees", "exp", "floor", "greatest", "least", "ln", "log", "log10", "log2", "mod",
                    "pi", "pow", "power", "radians", "rand", "round", "sign", "sin", "sqrt", "tan", "truncate")),
            new Group("date and time", List.of(
                    "adddate", "addtime", "add_months", "convert_tz", "curdate", "current_date", "current_time",
                    "current_timestamp", "curtime", "date", "date_add", "date_format", "date_sub", "datediff", "day",
                    "dayname", "dayofmonth", "dayofweek", "dayofyear", "extract", "from_days", "from_unixtime",
                    "get_format", "hour", "last_day", "localtime", "localtimestamp", "makedate", "maketime",
                    "microsecond", "minute", "month", "monthname", "now", "period_add", "period_diff", "quarter",
                    "sec_to_time", "second", "str_to_date", "subdate", "subtime", "sysdate", "time", "time_format",
                    "time_to_sec", "timediff", "timestamp", "timestampadd", "timestampdiff", "to_days",
                    "to_seconds", "unix_timestamp", "utc_date", "utc_time", "utc_timestamp", "week", "weekday",
                    "weekofyear", "year", "yearweek")),
            new Group("json", List.of(
                    "json_array", "json_array_append", "json_array_insert", "json_arrayagg", "json_compact",
                    "json_contains", "json_contains_path", "json_depth", "json_detailed", "json_equals",
                    "json_exists", "json_extract", "json_insert", "json_keys", "json_length", "json_loose",
                    "json_merge", "json_merge_patch", "json_merge_preserve", "json_normalize", "json_object",
                    "json_objectagg", "json_overlaps", "json_pretty", "json_query", "json_quote", "json_remove",
                    "json_replace", "json_schema_valid", "json_search", "json_set", "json_storage_size",
                    "json_table", "json_type", "json_unquote", "json_valid", "json_value")),
            new Group("aggregate", List.of(
                    "any_value", "avg", "bit_and", "bit_or", "bit_xor", "count", "group_concat", "grouping", "max",
                    "min", "std", "stddev", "stddev_pop", "stddev_samp", "sum", "var_pop", "var_samp", "variance")),
            new Group("window", List.of(
                    "cume_dist", "dense_rank", "first_value", "lag", "last_value", "lead", "median", "nth_value",
                    "ntile", "percent_rank", "percentile_cont", "percentile_disc", "rank", "row_number")),
            new Group("control flow and comparison", List.of(
                    "coalesce", "if", "ifnull", "interval", "isnull", "nullif", "nvl", "nvl2")),
            new Group("cast and convert, and types written with a length", List.of(
                    "cast", "convert", "binary", "varbinary", "varchar", "nchar", "decimal", "dec", "numeric",
                    "float", "double", "real", "int", "integer", "bigint", "smallint", "tinyint", "mediumint",
                    "datetime", "bit")),
            new Group("hashing and encoding", List.of(
                    "md5", "sha", "sha1", "sha2", "inet_aton", "inet_ntoa", "inet6_aton", "inet6_ntoa", "is_ipv4",
                    "is_ipv4_compat", "is_ipv4_mapped", "is_ipv6", "bin_to_uuid", "uuid_to_bin", "is_uuid")),
            new Group("own session", List.of(
                    "database", "schema", "user", "current_user", "session_user", "system_user", "current_role",
                    "version", "connection_id")),
            new Group("spatial (read)", List.of(
                    "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
                    "geometrycollection", "st_area", "st_asbinary", "st_asgeojson", "st_astext", "st_aswkb",
                    "st_aswkt", "st_buffer", "st_centroid", "st_contains", "st_convexhull", "st_crosses",
                    "st_difference", "st_dimension", "st_disjoint", "st_distance", "st_distance_sphere",
                    "st_endpoint", "st_envelope", "st_equals", "st_exteriorring", "st_geohash", "st_geometryn",
                    "st_geometrytype", "st_geomfromgeojson", "st_geomfromtext", "st_geomfromwkb",
                    "st_geometryfromtext", "st_intersection", "st_intersects", "st_isclosed", "st_isempty",
                    "st_issimple", "st_isvalid", "st_latitude", "st_length", "st_linefromtext", "st_longitude",
                    "st_makeenvelope", "st_numgeometries", "st_numpoints", "st_overlaps", "st_pointfromtext",
                    "st_pointn", "st_polygonfromtext", "st_simplify", "st_srid", "st_startpoint", "st_touches",
                    "st_transform", "st_union", "st_within", "st_x", "st_y", "mbrcontains", "mbrcoveredby",
                    "mbrcovers", "mbrdisjoint", "mbrequals", "mbrintersects", "mbroverlaps", "mbrtouches",
                    "mbrwithin")));

    /**
     * Never callable, whatever the configuration and however qualified: they wait, lock,
     * read server files, consume or reveal state outside the query, or are well-known UDFs
     * that run shell commands. Kept even though the allow-list already excludes them, so that
     * no future allow-list entry or allowed schema can let them through.
     */
    static final List<String> NEVER = List.of(
            // Hold a connection and a thread for as long as asked.
            "sleep", "benchmark",
            "master_pos_wait", "source_pos_wait", "master_gtid_wait", "wait_for_executed_gtid_set",
            "wait_until_sql_thread_after_gtids",
            // User-level locks outlive the statement and block other sessions.
            "get_lock", "release_lock", "release_all_locks", "is_free_lock", "is_used_lock",
            // Server files.
            "load_file", "des_encrypt", "des_decrypt",
            // Session state: LAST_INSERT_ID(expr) sets it; sequences advance outside any rollback.
            "last_insert_id", "nextval", "lastval", "setval",
            // Grants, password policy and other sessions' threads.
            "roles_graphml", "validate_password_strength", "ps_thread_id", "ps_current_thread_id",
            // lib_mysqludf_sys and similar UDFs: shell commands and environment.
            "sys_exec", "sys_eval", "sys_get", "sys_set", "lib_mysqludf_sys_info");

    /**
     * Names the server parses as keywords wherever they stand, so {@code name (} with a space
     * still calls the built-in. For every other allowed name a space, a comment or backticks
     * between name and parenthesis may make MySQL call a stored function of that name in the
     * default database instead (IGNORE_SPACE off), so the guard refuses those spellings.
     */
    static final Set<String> KEYWORD_CALLS = Set.of(
            "char", "if", "left", "right", "insert", "replace", "repeat", "mod", "database", "schema",
            "current_user", "convert", "interval", "binary", "varbinary", "varchar", "nchar", "decimal", "dec",
            "numeric", "float", "double", "real", "int", "integer", "bigint", "smallint", "tinyint", "mediumint",
            "datetime", "bit", "current_date", "current_time", "current_timestamp", "localtime", "localtimestamp",
            "utc_date", "utc_time", "utc_timestamp", "time", "timestamp", "date", "year");

    private BuiltInFunctions() {
    }

    static Set<String> allowed() {
        Set<String> all = new TreeSet<>();
        ALLOWED.forEach(g -> all.addAll(g.functions()));
        all.removeAll(NEVER);
        return all;
    }
}
