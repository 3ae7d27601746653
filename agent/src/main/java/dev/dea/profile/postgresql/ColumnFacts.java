package dev.dea.profile.postgresql;

import dev.dea.db.Database;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.JdbcFrames;


import static java.util.Objects.requireNonNull;

/**
 * What the catalog says about a column, as far as profiling needs it. {@code leafType} is the
 * type with domains removed and, for arrays, the element type (also domain-free): that decides
 * the statistics. {@code baseSqlType} is the domain-free column type spelt for a cast.
 *
 * @param orderable  the leaf type has a default btree operator class (min/max, DISTINCT, percentiles)
 * @param groupable  the leaf type has a default btree or hash operator class (GROUP BY)
 */
record ColumnFacts(
        String name,
        String type,
        boolean isDomain,
        String baseSqlType,
        String leafType,
        char leafTyptype,
        char leafCategory,
        boolean isArray,
        boolean orderable,
        boolean groupable) {

    ColumnFacts {
        requireNonNull(name, "name");
        requireNonNull(type, "type");
        requireNonNull(baseSqlType, "baseSqlType");
        requireNonNull(leafType, "leafType");
        // Enums, ranges and arrays use polymorphic operator classes the catalog lookup cannot see.
        if (leafTyptype == 'e' || leafTyptype == 'r' || leafTyptype == 'm') {
            orderable = true;
            groupable = true;
        }
        if (leafTyptype == 'c' || leafTyptype == 'p') {
            orderable = false;
            groupable = false;
        }
    }

    StatKind statKind() {
        if (isArray) {
            return StatKind.ARRAY;
        }
        if (leafTyptype == 'e') {
            return StatKind.ENUM;
        }
        return switch (leafType) {
            case "int2", "int4", "int8" -> StatKind.INTEGER;
            case "numeric" -> StatKind.DECIMAL;
            case "float4", "float8" -> StatKind.FLOAT;
            case "date" -> StatKind.DATE;
            case "timestamp" -> StatKind.TIMESTAMP;
            case "timestamptz" -> StatKind.TIMESTAMPTZ;
            case "bool" -> StatKind.BOOL;
            case "json", "jsonb" -> StatKind.JSON;
            case "bytea" -> StatKind.BYTES;
            case "tsvector" -> StatKind.TSVECTOR;
            default -> leafCategory == 'S' ? StatKind.TEXT : StatKind.OTHER;
        };
    }

    /** The same logical kind a query result column of this type gets (see JdbcFrames), so the two agree. */
    ColumnKind columnKind() {
        return isArray ? ColumnKind.ARRAY : JdbcFrames.kindOf(leafType, java.sql.Types.OTHER);
    }

    /**
     * The column as a SQL expression over the profiled source (aliased {@code src}). Domains are
     * cast to their base type so that literals compared with them are never checked against the
     * domain's constraints. Identifier and type come from the catalog, never from the request.
     */
    String expr() {
        String col = "src." + Database.quoteIdent(name);
        return isDomain ? "(" + col + ")::" + baseSqlType : col;
    }

    /** Whether a value compares as finite; {@code "true"} for kinds that cannot be NaN or infinite. */
    String finiteCondition(int serverMajorVersion) {
        return finiteCondition(serverMajorVersion, expr());
    }

    /** {@link #finiteCondition(int)} for any expression of this column's type, such as {@code min(col)}. */
    String finiteCondition(int serverMajorVersion, String e) {
        return switch (statKind()) {
            case FLOAT -> "(" + e + ")::float8 NOT IN ('NaN', 'Infinity', '-Infinity')";
            // numeric gained infinities in PostgreSQL 14; the literal is an error before that.
            case DECIMAL -> serverMajorVersion >= 14
                    ? e + " NOT IN ('NaN', 'Infinity', '-Infinity')" : e + " <> 'NaN'";
            case DATE, TIMESTAMP, TIMESTAMPTZ -> "isfinite(" + e + ")";
            default -> "true";
        };
    }
}
