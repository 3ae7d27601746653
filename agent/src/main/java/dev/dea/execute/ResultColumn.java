package dev.dea.execute;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.dea.cache.ColumnMeta;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * One entry of {@code metadata.result_schema}: the seed's {@code name}, {@code type}
 * (the pandas dtype the column has when a step loads the frame) and {@code stats},
 * plus the source SQL type and the logical kind.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ResultColumn(String name, String type, String sqlType, String kind, Map<String, Object> stats) {
    public ResultColumn {
        requireNonNull(name, "name");
        requireNonNull(type, "type");
        requireNonNull(sqlType, "sqlType");
        requireNonNull(kind, "kind");
        requireNonNull(stats, "stats");
    }

    public static ResultColumn of(ColumnMeta c) {
        return new ResultColumn(c.name(), c.dtype(), c.sourceType(), c.kind().wireName(), c.stats());
    }
}
