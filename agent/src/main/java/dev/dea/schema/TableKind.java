package dev.dea.schema;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** What a relation is; partitions and partitioned parents are told apart because an LLM should query the parent. */
public enum TableKind {
    TABLE,
    VIEW,
    MATERIALIZED_VIEW,
    PARTITIONED_TABLE,
    PARTITION,
    FOREIGN_TABLE;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether {@code TABLESAMPLE} applies: it needs heap storage, which views and most foreign tables lack. */
    public boolean supportsTableSample() {
        return this == TABLE || this == PARTITION || this == PARTITIONED_TABLE || this == MATERIALIZED_VIEW;
    }

    public static TableKind of(char relkind, boolean isPartition) {
        return switch (relkind) {
            case 'r' -> isPartition ? PARTITION : TABLE;
            case 'p' -> PARTITIONED_TABLE;
            case 'v' -> VIEW;
            case 'm' -> MATERIALIZED_VIEW;
            case 'f' -> FOREIGN_TABLE;
            default -> throw new IllegalArgumentException("not a table-like relkind: " + relkind);
        };
    }
}
