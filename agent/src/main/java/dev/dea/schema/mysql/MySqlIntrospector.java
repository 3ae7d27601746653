package dev.dea.schema.mysql;

import dev.dea.schema.ColumnInfo;
import dev.dea.schema.DatabaseSchema;
import dev.dea.schema.ForeignKeyInfo;
import dev.dea.schema.IndexInfo;
import dev.dea.schema.SchemaContents;
import dev.dea.schema.SchemaIntrospector;
import dev.dea.schema.TableInfo;
import dev.dea.schema.TableKind;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MySQL's and MariaDB's schema from information_schema ({@link MySqlCatalogQueries}): every
 * database the login can see except the server's own, tables named {@code db.table}. The
 * connection's database comes first on the search path, so a bare {@code table} resolves there.
 * {@code approx_row_count} is InnoDB's TABLE_ROWS, an estimate (see docs/schema-mysql.md).
 */
public final class MySqlIntrospector implements SchemaIntrospector {
    private static final Pattern JSON_VALID = Pattern.compile("^\\s*json_valid\\(`((?:[^`]|``)+)`\\)\\s*$",
            Pattern.CASE_INSENSITIVE);
    private static final Set<String> UNQUOTED_DEFAULT_TYPES = Set.of("tinyint", "smallint", "mediumint", "int",
            "integer", "bigint", "decimal", "numeric", "float", "double", "real", "bit", "year");

    private record Key(String schema, String table) {
    }

    @Override
    public DatabaseSchema read(Connection c, Instant now) throws SQLException {
        String version;
        String database;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(MySqlCatalogQueries.SERVER)) {
            rs.next();
            version = rs.getString(1);
            database = rs.getString(2);
        }
        ServerProduct server = ServerProduct.parse(version);
        Set<String> jsonColumns = server.hasCheckConstraints() ? jsonColumns(c, server) : Set.of();
        Map<Key, List<ColumnInfo>> columns = readColumns(c, server, jsonColumns);
        Map<Key, List<String>> primary = new HashMap<>();
        Map<Key, List<IndexInfo>> indexes = readIndexes(c, server, primary);
        Map<Key, List<ForeignKeyInfo>> foreign = readForeignKeys(c);
        List<TableInfo> tables = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(MySqlCatalogQueries.TABLES)) {
            while (rs.next()) {
                String schema = rs.getString("TABLE_SCHEMA");
                String name = rs.getString("TABLE_NAME");
                Key key = new Key(schema, name);
                boolean view = "VIEW".equals(rs.getString("TABLE_TYPE"));
                long rows = rs.getLong("TABLE_ROWS");
                Optional<Long> approx = rs.wasNull() || view ? Optional.empty() : Optional.of(rows);
                String comment = rs.getString("TABLE_COMMENT");
                // MySQL writes "VIEW" as every view's comment.
                Optional<String> tableComment = comment == null || comment.isEmpty() || view && comment.equals("VIEW")
                        ? Optional.empty() : Optional.of(comment);
                List<String> pk = primary.getOrDefault(key, List.of());
                Set<String> pkSet = Set.copyOf(pk);
                List<ColumnInfo> cols = columns.getOrDefault(key, List.of()).stream()
                        .map(col -> pkSet.contains(col.name()) ? col.withPrimaryKey(true) : col)
                        .toList();
                tables.add(new TableInfo(name, schema, MySqlNames.qualified(schema, name),
                        view ? TableKind.VIEW : TableKind.TABLE, Optional.empty(), Optional.empty(), Optional.empty(),
                        tableComment, approx, Optional.empty(), cols, pk, foreign.getOrDefault(key, List.of()),
                        indexes.getOrDefault(key, List.of())));
            }
        }
        return new DatabaseSchema("mysql", version, now.toString(), database == null ? List.of() : List.of(database),
                new SchemaContents(tables, List.of(), List.of()));
    }

    /** "schema\0table\0column" of MariaDB JSON columns: LONGTEXT carrying CHECK (json_valid(`col`)). */
    private static Set<String> jsonColumns(Connection c, ServerProduct server) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(MySqlCatalogQueries.checks(server))) {
            while (rs.next()) {
                Matcher m = JSON_VALID.matcher(rs.getString(4));
                if (m.matches()) {
                    out.add(rs.getString(1) + "\0" + rs.getString(2) + "\0" + m.group(1).replace("``", "`"));
                }
            }
        }
        return out;
    }

    private static Map<Key, List<ColumnInfo>> readColumns(Connection c, ServerProduct server, Set<String> json)
            throws SQLException {
        Map<Key, List<ColumnInfo>> out = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(MySqlCatalogQueries.COLUMNS)) {
            while (rs.next()) {
                String schema = rs.getString("TABLE_SCHEMA");
                String table = rs.getString("TABLE_NAME");
                String name = rs.getString("COLUMN_NAME");
                String dataType = rs.getString("DATA_TYPE").toLowerCase(Locale.ROOT);
                String columnType = rs.getString("COLUMN_TYPE");
                boolean isJson = server.mariaDb() && dataType.equals("longtext")
                        && json.contains(schema + "\0" + table + "\0" + name);
                Optional<List<String>> values = dataType.equals("enum") || dataType.equals("set")
                        ? Optional.of(MySqlNames.enumValues(columnType)) : Optional.empty();
                String comment = rs.getString("COLUMN_COMMENT");
                ColumnInfo col = new ColumnInfo(name, isJson ? "json" : columnType, false,
                        "YES".equals(rs.getString("IS_NULLABLE")),
                        Optional.ofNullable(defaultOf(server, dataType, rs.getString("COLUMN_DEFAULT"),
                                rs.getString("EXTRA"), rs.getString("GENERATION_EXPRESSION"))),
                        comment == null || comment.isEmpty() ? Optional.empty() : Optional.of(comment),
                        isJson ? Optional.of(columnType) : Optional.empty(), Optional.empty(), values, false,
                        rs.getInt("ORDINAL_POSITION"));
                out.computeIfAbsent(new Key(schema, table), k -> new ArrayList<>()).add(col);
            }
        }
        return out;
    }

    /**
     * The default as SQL, the way PostgreSQL's model spells it: generated and auto-increment
     * columns say how they get their values. MariaDB 10.2.7+ already reports SQL ('text', NULL
     * as the word NULL); MySQL reports the bare value, which is quoted here unless numeric, and
     * marks expression defaults with DEFAULT_GENERATED in EXTRA.
     */
    static String defaultOf(ServerProduct server, String dataType, String raw, String extra, String generation) {
        String ex = extra == null ? "" : extra.toUpperCase(Locale.ROOT);
        if (generation != null && !generation.isEmpty() && ex.contains("GENERATED") && !ex.contains("DEFAULT_GENERATED")) {
            boolean stored = ex.contains("STORED") || ex.contains("PERSISTENT");
            return "GENERATED ALWAYS AS (" + generation + ") " + (stored ? "STORED" : "VIRTUAL");
        }
        if (ex.contains("AUTO_INCREMENT")) {
            return "AUTO_INCREMENT";
        }
        if (raw == null) {
            return null;
        }
        if (server.defaultsAreSql()) {
            return raw.equalsIgnoreCase("NULL") ? null : raw;
        }
        if (ex.contains("DEFAULT_GENERATED") || UNQUOTED_DEFAULT_TYPES.contains(dataType)
                || raw.toUpperCase(Locale.ROOT).startsWith("CURRENT_TIMESTAMP")) {
            return raw;
        }
        return "'" + raw.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    private static Map<Key, List<IndexInfo>> readIndexes(Connection c, ServerProduct server,
                                                         Map<Key, List<String>> primary) throws SQLException {
        record Part(String text) {
        }
        Map<Key, Map<String, List<Part>>> parts = new LinkedHashMap<>();
        Map<String, Boolean> unique = new HashMap<>();
        Map<String, String> method = new HashMap<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(MySqlCatalogQueries.statistics(server))) {
            while (rs.next()) {
                Key key = new Key(rs.getString("TABLE_SCHEMA"), rs.getString("TABLE_NAME"));
                String index = rs.getString("INDEX_NAME");
                String column = rs.getString("COLUMN_NAME");
                String expression = rs.getString("EXPRESSION");
                long subPart = rs.getLong("SUB_PART");
                boolean prefix = !rs.wasNull();
                String text = column != null ? MySqlNames.quote(column) + (prefix ? "(" + subPart + ")" : "")
                        : "(" + expression + ")";
                if ("D".equals(rs.getString("COLLATION"))) {
                    text += " DESC";
                }
                parts.computeIfAbsent(key, k -> new LinkedHashMap<>()).computeIfAbsent(index, k -> new ArrayList<>())
                        .add(new Part(text));
                String id = key.schema() + "\0" + key.table() + "\0" + index;
                unique.put(id, rs.getInt("NON_UNIQUE") == 0);
                method.put(id, rs.getString("INDEX_TYPE"));
                if (index.equals("PRIMARY") && column != null) {
                    primary.computeIfAbsent(key, k -> new ArrayList<>()).add(column);
                }
            }
        }
        Map<Key, List<IndexInfo>> out = new HashMap<>();
        parts.forEach((key, byIndex) -> byIndex.forEach((index, p) -> {
            String id = key.schema() + "\0" + key.table() + "\0" + index;
            boolean isPrimary = index.equals("PRIMARY");
            boolean isUnique = unique.get(id);
            String type = method.get(id) == null ? "BTREE" : method.get(id);
            List<String> cols = p.stream().map(Part::text).toList();
            String on = " ON " + MySqlNames.qualified(key.schema(), key.table()) + " (" + String.join(", ", cols) + ")";
            String definition = switch (type) {
                case "FULLTEXT", "SPATIAL" -> "CREATE " + type + " INDEX " + MySqlNames.quote(index) + on;
                default -> isPrimary ? "ALTER TABLE " + MySqlNames.qualified(key.schema(), key.table())
                        + " ADD PRIMARY KEY (" + String.join(", ", cols) + ") USING " + type
                        : "CREATE " + (isUnique ? "UNIQUE " : "") + "INDEX " + MySqlNames.quote(index) + on
                        + " USING " + type;
            };
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(new IndexInfo(index, cols, isUnique, isPrimary,
                    type.toLowerCase(Locale.ROOT), definition));
        }));
        return out;
    }

    private static Map<Key, List<ForeignKeyInfo>> readForeignKeys(Connection c) throws SQLException {
        record Fk(String refSchema, String refTable, String onUpdate, String onDelete, List<String> cols,
                  List<String> refCols) {
        }
        Map<Key, Map<String, Fk>> byTable = new LinkedHashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(MySqlCatalogQueries.FOREIGN_KEYS)) {
            while (rs.next()) {
                Key key = new Key(rs.getString("TABLE_SCHEMA"), rs.getString("TABLE_NAME"));
                String name = rs.getString("CONSTRAINT_NAME");
                String refSchema = rs.getString("REFERENCED_TABLE_SCHEMA");
                String refTable = rs.getString("REFERENCED_TABLE_NAME");
                String onUpdate = rs.getString("UPDATE_RULE");
                String onDelete = rs.getString("DELETE_RULE");
                Fk fk = byTable.computeIfAbsent(key, k -> new LinkedHashMap<>()).computeIfAbsent(name,
                        k -> new Fk(refSchema, refTable, onUpdate, onDelete, new ArrayList<>(), new ArrayList<>()));
                fk.cols().add(rs.getString("COLUMN_NAME"));
                fk.refCols().add(rs.getString("REFERENCED_COLUMN_NAME"));
            }
        }
        Map<Key, List<ForeignKeyInfo>> out = new HashMap<>();
        byTable.forEach((key, fks) -> fks.forEach((name, fk) -> out.computeIfAbsent(key, k -> new ArrayList<>())
                .add(new ForeignKeyInfo(name, fk.cols(), MySqlNames.qualified(fk.refSchema(), fk.refTable()),
                        fk.refCols(), rule(fk.onDelete()), rule(fk.onUpdate())))));
        return out;
    }

    private static String rule(String rule) {
        return rule == null ? "NO ACTION" : rule.toUpperCase(Locale.ROOT);
    }
}
