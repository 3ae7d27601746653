package dev.dea.schema.mysql;

/**
 * The information_schema queries behind the MySQL/MariaDB schema model: one per catalog table,
 * each over every database the login can see, so the cost does not grow with the table count.
 * information_schema only lists objects the login holds some privilege on, which is the visibility rule.
 */
final class MySqlCatalogQueries {
    private MySqlCatalogQueries() {
    }

    /** The server's own databases: never the caller's data. */
    static final String USER_SCHEMA = " NOT IN ('mysql', 'sys', 'performance_schema', 'information_schema')";

    static final String SERVER = "SELECT VERSION(), DATABASE()";

    // SEQUENCE (MariaDB) is not a relation one profiles or joins; SYSTEM VERSIONED (MariaDB) is a table.
    static final String TABLES = """
            SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, TABLE_ROWS, TABLE_COMMENT
            FROM information_schema.TABLES
            WHERE TABLE_SCHEMA""" + USER_SCHEMA + """
             AND TABLE_TYPE IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED')
            ORDER BY TABLE_SCHEMA, TABLE_NAME
            """;

    static final String COLUMNS = """
            SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE,
                   DATA_TYPE, COLUMN_TYPE, EXTRA, COLUMN_COMMENT, GENERATION_EXPRESSION
            FROM information_schema.COLUMNS
            WHERE TABLE_SCHEMA""" + USER_SCHEMA + """

            ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION
            """;

    static final String FOREIGN_KEYS = """
            SELECT k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME,
                   k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME,
                   r.UPDATE_RULE, r.DELETE_RULE
            FROM information_schema.KEY_COLUMN_USAGE k
            JOIN information_schema.REFERENTIAL_CONSTRAINTS r
              ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
             AND r.TABLE_NAME = k.TABLE_NAME
            WHERE k.TABLE_SCHEMA""" + USER_SCHEMA + """
             AND k.REFERENCED_TABLE_NAME IS NOT NULL
            ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION
            """;

    /** Primary keys and indexes both come from here (INDEX_NAME 'PRIMARY'), in key order. */
    private static final String STATISTICS = """
            SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, COLLATION,
                   INDEX_TYPE, %s AS EXPRESSION
            FROM information_schema.STATISTICS
            WHERE TABLE_SCHEMA""" + USER_SCHEMA + """

            ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX
            """;

    /** MySQL 8.0.13+ has functional index parts (STATISTICS.EXPRESSION); MariaDB has no such column. */
    static String statistics(ServerProduct server) {
        return STATISTICS.formatted(server.hasIndexExpressions() ? "EXPRESSION" : "NULL");
    }

    /**
     * CHECK constraints: MariaDB (10.2.22+) names the table in CHECK_CONSTRAINTS itself, MySQL
     * (8.0.16+) only in TABLE_CONSTRAINTS. They matter here because MariaDB's JSON is LONGTEXT
     * with CHECK (json_valid(col)): that check is how a JSON column is told from text.
     */
    static String checks(ServerProduct server) {
        if (server.mariaDb()) {
            return "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE "
                    + "FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA" + USER_SCHEMA;
        }
        return "SELECT c.CONSTRAINT_SCHEMA, t.TABLE_NAME, c.CONSTRAINT_NAME, c.CHECK_CLAUSE "
                + "FROM information_schema.CHECK_CONSTRAINTS c JOIN information_schema.TABLE_CONSTRAINTS t "
                + "ON t.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA AND t.CONSTRAINT_NAME = c.CONSTRAINT_NAME "
                + "AND t.CONSTRAINT_TYPE = 'CHECK' WHERE c.CONSTRAINT_SCHEMA" + USER_SCHEMA;
    }
}
