package dev.dea.execute;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.dea.cache.ColumnMeta;
import dev.dea.frame.ColumnKind;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * One entry of {@code metadata.result_schema}: the seed's {@code name}, {@code type}
 * (the pandas dtype the column has when a step loads the frame) and {@code stats},
 * plus the source SQL type and the logical kind.
 *
 * <p>{@code type} is what a step sees by default, not {@code meta.json}'s {@code dtype} (what
 * {@code load_frame} gives outside the sandbox): steps load decimals as float64 unless they ask
 * for {@code exact_decimals}, and an LLM told "object" writes code for Decimal objects.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ResultColumn(String name, String type, String sqlType, String kind, Map<String, Object> stats) {
    /** The dtype a step's decimals get by default (README, "Which dtype each SQL type becomes"). */
    static final String STEP_DECIMAL_DTYPE = "float64";

    public ResultColumn {
        requireNonNull(name, "name");
        requireNonNull(type, "type");
        requireNonNull(sqlType, "sqlType");
        requireNonNull(kind, "kind");
        requireNonNull(stats, "stats");
    }

    public static ResultColumn of(ColumnMeta c) {
        String type = c.dtype();
        if (c.kind() == ColumnKind.DECIMAL) {
            boolean nulls = c.stats().get("null_count") instanceof Number n && n.longValue() > 0;
            type = ColumnMeta.UNSIGNED_64.contains(c.sourceType()) ? (nulls ? "UInt64" : "uint64") : STEP_DECIMAL_DTYPE;
        }
        return new ResultColumn(c.name(), type, c.sourceType(), c.kind().wireName(), c.stats());
    }
}
