package dev.dea.upload;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameValues;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CellsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void textSuggestsTheDocumentedKinds() {
        assertThat(Cells.kindOf("42")).isEqualTo(ColumnKind.INT64);
        assertThat(Cells.kindOf("-007")).isEqualTo(ColumnKind.INT64);
        assertThat(Cells.kindOf("9223372036854775808")).as("beyond int64").isEqualTo(ColumnKind.FLOAT64);
        assertThat(Cells.kindOf("1.5")).isEqualTo(ColumnKind.FLOAT64);
        assertThat(Cells.kindOf(".5e3")).isEqualTo(ColumnKind.FLOAT64);
        assertThat(Cells.kindOf("TRUE")).isEqualTo(ColumnKind.BOOL);
        assertThat(Cells.kindOf("2024-02-29")).isEqualTo(ColumnKind.DATE);
        assertThat(Cells.kindOf("2023-02-29")).as("no such day").isEqualTo(ColumnKind.STRING);
        assertThat(Cells.kindOf("2024-02-29 10:00")).isEqualTo(ColumnKind.TIMESTAMP);
        assertThat(Cells.kindOf("2024-02-29T10:00:00.123Z")).isEqualTo(ColumnKind.TIMESTAMPTZ);
        assertThat(Cells.kindOf("2024-02-29T10:00:00+0530")).isEqualTo(ColumnKind.TIMESTAMPTZ);
        assertThat(Cells.kindOf(" 12")).as("not trimmed").isEqualTo(ColumnKind.STRING);
        assertThat(Cells.kindOf("NaN")).isEqualTo(ColumnKind.STRING);
        assertThat(Cells.kindOf("0x10")).isEqualTo(ColumnKind.STRING);
    }

    @Test
    void jsonValuesSuggestKindsFromTheirJsonType() throws Exception {
        assertThat(Cells.kindOf(JSON.readTree("3"))).isEqualTo(ColumnKind.INT64);
        assertThat(Cells.kindOf(JSON.readTree("3.5"))).isEqualTo(ColumnKind.FLOAT64);
        assertThat(Cells.kindOf(JSON.readTree("\"12\""))).as("a JSON string stays text").isEqualTo(ColumnKind.STRING);
        assertThat(Cells.kindOf(JSON.readTree("\"2024-01-01\""))).isEqualTo(ColumnKind.DATE);
        assertThat(Cells.kindOf(JSON.readTree("{\"a\": 1}"))).isEqualTo(ColumnKind.JSON);
        assertThat(Cells.kindOf(JSON.readTree("[1]"))).isEqualTo(ColumnKind.JSON);
    }

    @Test
    void mixedColumnsWidenOnlyBetweenNumbers() {
        assertThat(ColumnGuesses.merge(ColumnKind.INT64, ColumnKind.FLOAT64, false)).isEqualTo(ColumnKind.FLOAT64);
        assertThat(ColumnGuesses.merge(ColumnKind.INT64, ColumnKind.DECIMAL, false)).isEqualTo(ColumnKind.DECIMAL);
        assertThat(ColumnGuesses.merge(ColumnKind.INT64, ColumnKind.BOOL, false)).isEqualTo(ColumnKind.STRING);
        assertThat(ColumnGuesses.merge(ColumnKind.DATE, ColumnKind.TIMESTAMP, false)).isEqualTo(ColumnKind.STRING);
        assertThat(ColumnGuesses.merge(ColumnKind.INT64, ColumnKind.STRING, true)).isEqualTo(ColumnKind.JSON);
    }

    @Test
    void valuesConvertToTheirKindOrSayWhyNot() throws Exception {
        assertThat(Cells.convert("1.10", ColumnKind.DECIMAL)).isEqualTo(new BigDecimal("1.10"));
        assertThat(Cells.convert("-inf", ColumnKind.FLOAT64)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Cells.convert("2024-01-31 10:15", ColumnKind.TIMESTAMP)).isEqualTo(LocalDateTime.of(2024, 1, 31, 10, 15));
        assertThat(Cells.convert("2024-01-31T10:15:00+02", ColumnKind.TIMESTAMPTZ))
                .isEqualTo(OffsetDateTime.of(2024, 1, 31, 10, 15, 0, 0, ZoneOffset.ofHours(2)));
        assertThat(Cells.convert(JSON.readTree("{\"a\": [1, 2]}"), ColumnKind.JSON))
                .isEqualTo(new FrameValues.RawJson("{\"a\":[1,2]}"));
        assertThat(Cells.convert(JSON.readTree("5"), ColumnKind.STRING)).isEqualTo("5");
        assertThat(Cells.convert(3L, ColumnKind.FLOAT64)).isEqualTo(3.0);
        assertThat(Cells.convert(LocalDate.of(2024, 1, 1), ColumnKind.STRING)).isEqualTo("2024-01-01");
        // Times are stored as PostgreSQL prints them, seconds included.
        assertThat(Cells.convert("13:45", ColumnKind.TIME)).isEqualTo("13:45:00");
        assertThat(Cells.convert(java.time.LocalTime.of(8, 0, 30, 500_000_000), ColumnKind.TIME)).isEqualTo("08:00:30.5");
        assertThatThrownBy(() -> Cells.convert("12abc", ColumnKind.INT64))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the value is not an int64 (5 characters)");
        assertThatThrownBy(() -> Cells.convert("2024-01-31T10:15", ColumnKind.TIMESTAMPTZ))
                .as("a timestamptz needs its offset").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cells.convert(JSON.readTree("1.5"), ColumnKind.INT64))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decimalsAndTimestampsBeyondWhatAFrameStoresAreRefusedNotExpanded() throws Exception {
        // Three characters of input, a gigabyte of plain text if it were stored.
        for (String huge : new String[]{"1e999999999", "1e-999999999", "1e131073"}) {
            assertThatThrownBy(() -> Cells.convert(huge, ColumnKind.DECIMAL)).as(huge)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("digits");
        }
        // As JsonLinesReader reads numbers: as BigDecimal.
        var exact = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        assertThatThrownBy(() -> Cells.convert(exact.readTree("1e999999999"), ColumnKind.DECIMAL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("digits");
        assertThat(Cells.convert("1e131071", ColumnKind.DECIMAL)).isEqualTo(new BigDecimal("1e131071"));
        assertThatThrownBy(() -> Cells.convert("+300000-01-01T00:00:00", ColumnKind.TIMESTAMP))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("microseconds");
        assertThatThrownBy(() -> Cells.convert("-300000-01-01T00:00:00Z", ColumnKind.TIMESTAMPTZ))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("microseconds");
        assertThatThrownBy(() -> Cells.convert(new Object[]{new BigDecimal("1e999999999")}, ColumnKind.ARRAY))
                .as("inside an array too").isInstanceOf(IllegalArgumentException.class);
    }
}
