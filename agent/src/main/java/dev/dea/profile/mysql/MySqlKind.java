package dev.dea.profile.mysql;

import dev.dea.frame.ColumnKind;

import java.util.Locale;

/** Which statistics a MySQL column gets, from its COLUMN_TYPE (MariaDB JSON already reported as "json"). */
enum MySqlKind {
    INTEGER(ColumnKind.INT64), DECIMAL(ColumnKind.DECIMAL), FLOAT(ColumnKind.FLOAT64), DATE(ColumnKind.DATE),
    DATETIME(ColumnKind.TIMESTAMP), TIME(ColumnKind.TIME), TEXT(ColumnKind.STRING), ENUM(ColumnKind.STRING),
    SET(ColumnKind.STRING), JSON(ColumnKind.JSON), BYTES(ColumnKind.BYTES), GEOMETRY(ColumnKind.BYTES),
    OTHER(ColumnKind.STRING);

    final ColumnKind columnKind;

    MySqlKind(ColumnKind columnKind) {
        this.columnKind = columnKind;
    }

    static MySqlKind of(String columnType) {
        String t = columnType.toLowerCase(Locale.ROOT);
        int paren = t.indexOf('(');
        String base = (paren < 0 ? t : t.substring(0, paren)).replace(" unsigned", "").replace(" zerofill", "").strip();
        return switch (base) {
            case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year", "bool", "boolean" -> INTEGER;
            case "decimal", "numeric", "dec", "fixed" -> DECIMAL;
            case "float", "double", "real", "double precision" -> FLOAT;
            case "date" -> DATE;
            case "datetime", "timestamp" -> DATETIME;
            case "time" -> TIME;
            case "char", "varchar", "tinytext", "text", "mediumtext", "longtext" -> TEXT;
            case "enum" -> ENUM;
            case "set" -> SET;
            case "json" -> JSON;
            case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> BYTES;
            case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
                 "geometrycollection", "geomcollection" -> GEOMETRY;
            default -> base.startsWith("varchar") || base.startsWith("char") ? TEXT : OTHER;
        };
    }

    boolean isNumeric() {
        return this == INTEGER || this == DECIMAL || this == FLOAT;
    }

    boolean isTemporal() {
        return this == DATE || this == DATETIME;
    }

    /** Numbers, dates and datetimes: mean (numbers only), quartiles and histograms on a numeric key. */
    boolean hasNumericKey() {
        return isNumeric() || isTemporal();
    }

    /** JSON documents, binary strings and geometries: comparing or grouping them says nothing useful. */
    boolean opaque() {
        return this == JSON || this == BYTES || this == GEOMETRY;
    }

    /** Min and max: sets compare as bit masks, which is no order a reader expects. */
    boolean orderable() {
        return !opaque() && this != SET;
    }

    boolean hasLengths() {
        return this == TEXT || opaque();
    }

    boolean alwaysTopValues() {
        return this == ENUM || this == SET;
    }

    boolean hasExamples() {
        return this == TEXT || this == TIME || this == OTHER;
    }
}
