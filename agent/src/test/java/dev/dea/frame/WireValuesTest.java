package dev.dea.frame;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** FrameValues.write -> WireValues.read gives back the value, and writing it again gives the same bytes. */
class WireValuesTest {
    private static final JsonFactory JSON = new JsonFactory();
    /** Nodes must be read with exact decimals for json values to keep their text (as the reader's doc says). */
    private static final ObjectMapper PLAIN = FrameJson.newMapper();
    private static final ObjectMapper MAPPER = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private static final Map<ColumnKind, List<Object>> SAMPLES = Map.ofEntries(
            Map.entry(ColumnKind.INT64, List.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 9007199254740993L)),
            Map.entry(ColumnKind.FLOAT64, List.of(1.5, -0.0, 1e300, 4.9e-324, Double.NaN,
                    Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 3.0)),
            Map.entry(ColumnKind.BOOL, List.of(true, false)),
            Map.entry(ColumnKind.STRING, List.of("", "it's \"quoted\"\nline2 ✓", "\u2028x\u0085", "NaN")),
            Map.entry(ColumnKind.DECIMAL, List.of(new BigDecimal("-0.10"), new BigDecimal("12345678901234567890.123456789"),
                    new BigDecimal("1000"), "NaN", "Infinity", "-Infinity")),
            Map.entry(ColumnKind.DATE, List.of(LocalDate.of(2024, 2, 29), LocalDate.MAX, LocalDate.MIN,
                    LocalDate.of(1, 1, 1), LocalDate.of(10000, 1, 1))),
            Map.entry(ColumnKind.TIMESTAMP, List.of(LocalDateTime.of(2024, 1, 2, 3, 4, 5),
                    LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_000), LocalDateTime.MAX, LocalDateTime.MIN)),
            Map.entry(ColumnKind.TIMESTAMPTZ, List.of(OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHours(2)),
                    OffsetDateTime.of(2024, 6, 1, 0, 0, 0, 500_000_000, ZoneOffset.UTC), OffsetDateTime.MAX, OffsetDateTime.MIN)),
            Map.entry(ColumnKind.TIME, List.of("13:45:00", "13:45:00.5+02")),
            Map.entry(ColumnKind.JSON, List.of(new FrameValues.RawJson("{\"a\":[1,{\"b\":null}],\"c\":1.50}"),
                    new FrameValues.RawJson("\"text\""), new FrameValues.RawJson("3"), new FrameValues.RawJson("12345678901234567890.123"),
                    new FrameValues.RawJson("true"), new FrameValues.RawJson("[]"))),
            Map.entry(ColumnKind.BYTES, List.of(new byte[0], new byte[] {0, 1, (byte) 0xff}, "✓".getBytes(java.nio.charset.StandardCharsets.UTF_8))),
            Map.entry(ColumnKind.ARRAY, List.of(new Object[] {1L, null, 3L}, new Object[] {new Object[] {"a", "b"}, new Object[] {"c", null}},
                    new Object[] {}, new Object[] {"2024-01-01", "12.50", true}, new Object[] {new FrameValues.RawJson("1.5")})));

    @Test
    void everyKindRoundTripsThroughTheWireEncoding() throws IOException {
        assertThat(SAMPLES.keySet()).containsExactlyInAnyOrder(ColumnKind.values());
        for (ColumnKind kind : ColumnKind.values()) {
            List<Object> values = new ArrayList<>(SAMPLES.get(kind));
            values.add(null);
            for (Object value : values) {
                String wire = write(value);
                Object viaParser = viaParser(wire, kind);
                // Exact decimals for json text; the plain mapper for the rest (BigDecimal would lose -0.0).
                Object viaNode = WireValues.read((kind == ColumnKind.JSON ? MAPPER : PLAIN).readTree(wire), kind);
                assertThat(write(viaParser)).as("%s %s via parser", kind, wire).isEqualTo(wire);
                assertThat(write(viaNode)).as("%s %s via node", kind, wire).isEqualTo(wire);
                if (!(value instanceof Object[] || value instanceof byte[])) {
                    assertThat(viaParser).as("%s %s", kind, wire).isEqualTo(value);
                    assertThat(viaNode).as("%s %s", kind, wire).isEqualTo(value);
                } else if (value instanceof byte[] bytes) {
                    assertThat((byte[]) viaParser).isEqualTo(bytes);
                } else {
                    assertThat(Arrays.deepToString((Object[]) viaNode)).isEqualTo(Arrays.deepToString((Object[]) value));
                }
            }
        }
    }

    @Test
    void readsAWholeRowAndLeavesTheParserAfterEachValue() throws IOException {
        ColumnKind[] kinds = {ColumnKind.JSON, ColumnKind.INT64, ColumnKind.ARRAY, ColumnKind.DATE};
        try (JsonParser p = JSON.createParser("[{\"x\":[1,2]},7,[[1],[2]],\"2024-02-29\"]")) {
            p.nextToken();
            List<Object> row = new ArrayList<>();
            for (ColumnKind kind : kinds) {
                p.nextToken();
                row.add(WireValues.read(p, kind));
            }
            assertThat(p.nextToken()).isEqualTo(com.fasterxml.jackson.core.JsonToken.END_ARRAY);
            assertThat(row.get(0)).isEqualTo(new FrameValues.RawJson("{\"x\":[1,2]}"));
            assertThat(row.get(1)).isEqualTo(7L);
            assertThat(row.get(3)).isEqualTo(LocalDate.of(2024, 2, 29));
        }
    }

    @Test
    void rejectsValuesThatDoNotFitTheKind() {
        assertThatThrownBy(() -> viaParser("\"x\"", ColumnKind.INT64)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> viaParser("99999999999999999999", ColumnKind.INT64)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> viaParser("\"2024-13-01\"", ColumnKind.DATE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> viaParser("\"abc\"", ColumnKind.FLOAT64)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> viaParser("1", ColumnKind.BOOL)).isInstanceOf(IllegalArgumentException.class);
    }

    private static Object viaParser(String wire, ColumnKind kind) throws IOException {
        try (JsonParser p = JSON.createParser(wire)) {
            p.nextToken();
            Object value = WireValues.read(p, kind);
            assertThat(p.nextToken()).isNull();
            return value;
        }
    }

    private static String write(Object value) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            FrameValues.write(g, value);
        }
        return out.toString();
    }
}
