package dev.dea.schema.postgresql;

import dev.dea.schema.ColumnInfo;
import dev.dea.schema.DatabaseSchema;
import dev.dea.schema.DomainInfo;
import dev.dea.schema.EnumInfo;
import dev.dea.schema.ForeignKeyInfo;
import dev.dea.schema.IndexInfo;
import dev.dea.schema.SchemaContents;
import dev.dea.schema.TableInfo;
import dev.dea.schema.TableKind;

import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Builds a {@link DatabaseSchema} from the {@link CatalogQueries}, on a connection the caller owns. */
final class SchemaReader {
    private SchemaReader() {
    }

    static DatabaseSchema read(Connection c, Instant now) throws SQLException {
        String version;
        List<String> searchPath;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(CatalogQueries.SERVER)) {
            rs.next();
            version = rs.getString(1);
            String path = rs.getString(2);
            searchPath = path == null || path.isEmpty() ? List.of() : List.of(path.split(","));
        }
        Map<Long, EnumInfo> enums = readEnums(c);
        Map<Long, List<ColumnInfo>> columns = readColumns(c, enums);
        Map<Long, Keys> keys = readKeys(c);
        Map<Long, List<IndexInfo>> indexes = readIndexes(c);
        List<TableInfo> tables = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(CatalogQueries.RELATIONS)) {
            while (rs.next()) {
                long oid = rs.getLong("oid");
                Keys k = keys.getOrDefault(oid, Keys.NONE);
                Set<String> pk = Set.copyOf(k.primaryKey());
                List<ColumnInfo> cols = columns.getOrDefault(oid, List.of()).stream()
                        .map(col -> pk.contains(col.name()) ? col.withPrimaryKey(true) : col)
                        .toList();
                TableKind kind = TableKind.of(rs.getString("relkind").charAt(0), rs.getBoolean("relispartition"));
                double approx = rs.getDouble("approx_rows");
                Optional<Long> approxRows = rs.wasNull() ? Optional.empty() : Optional.of(Math.round(approx));
                boolean populated = rs.getBoolean("relispopulated");
                tables.add(new TableInfo(
                        rs.getString("relname"),
                        rs.getString("nspname"),
                        rs.getString("qualified"),
                        kind,
                        Optional.ofNullable(rs.getString("parent")),
                        Optional.ofNullable(rs.getString("partition_bound")),
                        Optional.ofNullable(rs.getString("partition_key")),
                        Optional.ofNullable(rs.getString("description")),
                        approxRows,
                        kind == TableKind.MATERIALIZED_VIEW && !populated ? Optional.of(false) : Optional.empty(),
                        cols,
                        k.primaryKey(),
                        k.foreignKeys(),
                        indexes.getOrDefault(oid, List.of())));
            }
        }
        List<EnumInfo> enumList = List.copyOf(enums.values());
        return new DatabaseSchema("postgresql", version, now.toString(), searchPath,
                new SchemaContents(tables, enumList, readDomains(c)));
    }

    private record Keys(List<String> primaryKey, List<ForeignKeyInfo> foreignKeys) {
        static final Keys NONE = new Keys(List.of(), List.of());
    }

    private static Map<Long, EnumInfo> readEnums(Connection c) throws SQLException {
        // Insertion order is the query's (schema, name) order, which the enum list keeps.
        Map<Long, EnumInfo> out = new LinkedHashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(CatalogQueries.ENUMS)) {
            while (rs.next()) {
                out.put(rs.getLong("oid"), 
                        new EnumInfo(rs.getString("nspname"), rs.getString("typname"), strings(rs.getArray("labels"))));
            }
        }
        return out;
    }

    private static Map<Long, List<ColumnInfo>> readColumns(Connection c, Map<Long, EnumInfo> enums)
            throws SQLException {
        Map<Long, List<ColumnInfo>> out = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(CatalogQueries.COLUMNS)) {
            while (rs.next()) {
                long enumOid = rs.getLong("enum_oid");
                Optional<List<String>> labels = rs.wasNull() || !enums.containsKey(enumOid)
                        ? Optional.empty() : Optional.of(enums.get(enumOid).values());
                ColumnInfo col = new ColumnInfo(
                        rs.getString("attname"),
                        rs.getString("type"),
                        false,
                        rs.getBoolean("nullable"),
                        Optional.ofNullable(defaultOf(rs.getString("default_expr"), rs.getString("attidentity"),
                                rs.getString("attgenerated"))),
                        Optional.ofNullable(rs.getString("description")),
                        Optional.ofNullable(rs.getString("base_type")),
                        Optional.ofNullable(rs.getString("domain_name")),
                        labels,
                        rs.getBoolean("is_array"),
                        rs.getInt("attnum"));
                out.computeIfAbsent(rs.getLong("attrelid"), k -> new ArrayList<>()).add(col);
            }
        }
        return out;
    }

    /** Identity and generated columns have no plain default; say how they get their values instead. */
    static String defaultOf(String expression, String identity, String generated) {
        if ("a".equals(identity)) {
            return "GENERATED ALWAYS AS IDENTITY";
        }
        if ("d".equals(identity)) {
            return "GENERATED BY DEFAULT AS IDENTITY";
        }
        if ("s".equals(generated) && expression != null) {
            return "GENERATED ALWAYS AS (" + expression + ") STORED";
        }
        return expression;
    }

    private static Map<Long, Keys> readKeys(Connection c) throws SQLException {
        Map<Long, List<String>> primary = new HashMap<>();
        Map<Long, List<ForeignKeyInfo>> foreign = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(CatalogQueries.KEYS)) {
            while (rs.next()) {
                long rel = rs.getLong("conrelid");
                List<String> cols = strings(rs.getArray("columns"));
                if ("p".equals(rs.getString("contype"))) {
                    primary.put(rel, cols);
                } else {
                    foreign.computeIfAbsent(rel, k -> new ArrayList<>()).add(new ForeignKeyInfo(
                            rs.getString("conname"),
                            cols,
                            rs.getString("ref_table"),
                            strings(rs.getArray("ref_columns")),
                            ForeignKeyInfo.action(rs.getString("confdeltype")),
                            ForeignKeyInfo.action(rs.getString("confupdtype"))));
                }
            }
        }
        Set<Long> rels = new LinkedHashSet<>(primary.keySet());
        rels.addAll(foreign.keySet());
        Map<Long, Keys> out = new HashMap<>();
        for (Long rel : rels) {
            out.put(rel, new Keys(primary.getOrDefault(rel, List.of()), foreign.getOrDefault(rel, List.of())));
        }
        return out;
    }

    private static Map<Long, List<IndexInfo>> readIndexes(Connection c) throws SQLException {
        Map<Long, List<IndexInfo>> out = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(CatalogQueries.INDEXES)) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getLong("indrelid"), k -> new ArrayList<>()).add(new IndexInfo(
                        rs.getString("relname"),
                        strings(rs.getArray("columns")),
                        rs.getBoolean("indisunique"),
                        rs.getBoolean("indisprimary"),
                        rs.getString("amname"),
                        rs.getString("definition")));
            }
        }
        return out;
    }

    private static List<DomainInfo> readDomains(Connection c) throws SQLException {
        List<DomainInfo> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(CatalogQueries.DOMAINS)) {
            while (rs.next()) {
                out.add(new DomainInfo(
                        rs.getString("nspname"),
                        rs.getString("typname"),
                        rs.getString("base_type"),
                        rs.getBoolean("nullable"),
                        Optional.ofNullable(rs.getString("typdefault")),
                        Optional.ofNullable(rs.getString("checks"))));
            }
        }
        return out;
    }

    private static List<String> strings(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        try {
            Object[] values = (Object[]) array.getArray();
            return Arrays.stream(values).map(String::valueOf).toList();
        } finally {
            array.free();
        }
    }
}
