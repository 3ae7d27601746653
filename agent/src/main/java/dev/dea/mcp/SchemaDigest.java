package dev.dea.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dea.schema.ColumnInfo;
import dev.dea.schema.DatabaseSchema;
import dev.dea.schema.ForeignKeyInfo;
import dev.dea.schema.TableInfo;
import dev.dea.schema.TableKind;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * The schema as a model reads it best: one line per column ({@code "film_id integer PK"}),
 * one per foreign key ({@code "language_id -> public.language(language_id)"}), partitions
 * folded into their parent (a query should name the parent; foreign keys declared on its
 * partitions only are listed as {@code partition_foreign_keys}) and comments cut short.
 * {@code describe_schema} with a table gives the full entry of {@code GET /schema} instead.
 */
final class SchemaDigest {
    /** Past this many relations the overview lists names only: a model then asks for the tables it needs. */
    static final int MAX_DETAILED_TABLES = 150;
    static final int MAX_COMMENT_CHARS = 160;

    private final ObjectMapper mapper;

    SchemaDigest(ObjectMapper mapper) {
        this.mapper = requireNonNull(mapper, "mapper");
    }

    ObjectNode overview(DatabaseSchema schema) {
        Map<String, Integer> partitions = new HashMap<>();
        // Foreign keys may be declared on the partitions only (as in Pagila); they still tell a model how the parent joins.
        Map<String, Set<String>> partitionForeignKeys = new HashMap<>();
        for (TableInfo t : schema.tables()) {
            if (t.kind() == TableKind.PARTITION && t.parent().isPresent()) {
                String parent = t.parent().get();
                partitions.merge(parent, 1, Integer::sum);
                t.foreignKeys().forEach(fk -> partitionForeignKeys.computeIfAbsent(parent, p -> new LinkedHashSet<>())
                        .add(foreignKey(fk)));
            }
        }
        var listed = schema.tables().stream().filter(t -> t.kind() != TableKind.PARTITION).toList();
        boolean namesOnly = listed.size() > MAX_DETAILED_TABLES;
        ObjectNode out = mapper.createObjectNode();
        out.put("dialect", schema.dialect());
        out.put("server_version", schema.serverVersion());
        out.set("search_path", mapper.valueToTree(schema.searchPath()));
        out.put("table_count", listed.size());
        if (namesOnly) {
            out.put("note", listed.size() + " relations: names only. Call describe_schema with 'table' for the columns of one.");
        }
        ArrayNode tables = out.putArray("tables");
        for (TableInfo t : listed) {
            if (namesOnly) {
                tables.add(t.qualifiedName());
                continue;
            }
            ObjectNode entry = tables.addObject();
            entry.put("name", t.qualifiedName());
            entry.put("kind", t.kind().wireName());
            t.approxRowCount().ifPresent(n -> entry.put("approx_rows", n));
            if (partitions.containsKey(t.qualifiedName())) {
                entry.put("partitions", partitions.get(t.qualifiedName()));
            }
            t.comment().ifPresent(c -> entry.put("comment", CompactResults.clip(c, MAX_COMMENT_CHARS)));
            t.populated().filter(p -> !p).ifPresent(p -> entry.put("populated", false));
            ArrayNode columns = entry.putArray("columns");
            t.columns().forEach(c -> columns.add(column(c)));
            if (!t.foreignKeys().isEmpty()) {
                ArrayNode fks = entry.putArray("foreign_keys");
                t.foreignKeys().forEach(fk -> fks.add(foreignKey(fk)));
            }
            Set<String> ofPartitions = new LinkedHashSet<>(partitionForeignKeys.getOrDefault(t.qualifiedName(), Set.of()));
            t.foreignKeys().forEach(fk -> ofPartitions.remove(foreignKey(fk)));
            if (!ofPartitions.isEmpty()) {
                ArrayNode fks = entry.putArray("partition_foreign_keys");
                ofPartitions.forEach(fks::add);
            }
        }
        return out;
    }

    /** One table in full: the {@code GET /schema} entry (columns with defaults, comments, enum values; keys; indexes). */
    ObjectNode table(TableInfo table) {
        return mapper.valueToTree(table);
    }

    static String column(ColumnInfo c) {
        StringBuilder s = new StringBuilder(c.name()).append(' ').append(c.type());
        if (c.isPrimaryKey()) {
            s.append(" PK");
        } else if (!c.nullable()) {
            s.append(" NOT NULL");
        }
        c.enumValues().ifPresent(values -> s.append(" enum(").append(String.join(",", values)).append(')'));
        c.domain().flatMap(d -> c.baseType()).ifPresent(base -> s.append(" (domain over ").append(base).append(')'));
        return s.toString();
    }

    static String foreignKey(ForeignKeyInfo fk) {
        return String.join(", ", fk.columns()) + " -> " + fk.referencesTable() + "(" + String.join(", ", fk.referencesColumns()) + ")";
    }
}
