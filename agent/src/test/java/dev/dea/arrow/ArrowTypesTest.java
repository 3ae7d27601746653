package dev.dea.arrow;

import dev.dea.cache.ColumnMeta;
import dev.dea.frame.ColumnKind;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ArrowTypesTest {
    private static ColumnMeta decimal(String sourceType, Map<String, Object> stats) {
        return new ColumnMeta("d", ColumnKind.DECIMAL, sourceType, "object", stats);
    }

    @Test
    void declaredPrecisionPicksDecimal128Or256AndTheRestStaysExactText() {
        assertThat(ArrowTypes.decimal(decimal("numeric(12,2)", Map.of()))).isEqualTo(new ArrowType.Decimal(12, 2, 128));
        assertThat(ArrowTypes.decimal(decimal("numeric(38,0)", Map.of()))).isEqualTo(new ArrowType.Decimal(38, 0, 128));
        assertThat(ArrowTypes.decimal(decimal("numeric(39,5)", Map.of()))).isEqualTo(new ArrowType.Decimal(39, 5, 256));
        assertThat(ArrowTypes.decimal(decimal("numeric(76,76)", Map.of()))).isEqualTo(new ArrowType.Decimal(76, 76, 256));
        assertThat(ArrowTypes.decimal(decimal("numeric(7)", Map.of()))).isEqualTo(new ArrowType.Decimal(7, 0, 128));
        for (String unfit : new String[] {"numeric", "numeric(77,2)", "numeric(5,-2)", "object", "numeric(1000,0)"}) {
            assertThat(ArrowTypes.decimal(decimal(unfit, Map.of()))).as(unfit).isEqualTo(ArrowTypes.UTF8);
        }
    }

    @Test
    void specialValuesInTheStatsKeepADeclaredDecimalAsText() {
        assertThat(ArrowTypes.decimal(decimal("numeric(10,2)", Map.of("max", "Infinity")))).isEqualTo(ArrowTypes.UTF8);
        assertThat(ArrowTypes.decimal(decimal("numeric(10,2)", Map.of("nan_count", 1L)))).isEqualTo(ArrowTypes.UTF8);
        assertThat(ArrowTypes.decimal(decimal("numeric(10,2)", Map.of("min", "-0.10", "max", "12.50"))))
                .isEqualTo(new ArrowType.Decimal(10, 2, 128));
    }

    @Test
    void arrayElementsFollowThePostgresElementType() {
        assertThat(ArrowTypes.element("_int4").getType()).isEqualTo(ArrowTypes.INT64);
        assertThat(ArrowTypes.element("_timestamptz").getType()).isEqualTo(ArrowTypes.TIMESTAMPTZ);
        assertThat(ArrowTypes.element("_jsonb").getMetadata()).containsEntry("ARROW:extension:name", "arrow.json");
        assertThat(ArrowTypes.element("_numeric").getType()).isEqualTo(ArrowTypes.UTF8);
        assertThat(ArrowTypes.element("object").getType()).as("a Python list").isEqualTo(ArrowTypes.UTF8);
    }

    @Test
    void onlyTimeWithoutAZoneIsTime64() {
        assertThat(ArrowTypes.isPlainTime("time")).isTrue();
        assertThat(ArrowTypes.isPlainTime("timetz")).isFalse();
        assertThat(ArrowTypes.isPlainTime("object")).isFalse();
    }
}
