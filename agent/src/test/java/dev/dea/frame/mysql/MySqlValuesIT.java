package dev.dea.frame.mysql;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.config.ConfigLoader;
import dev.dea.db.Database;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameColumn;
import dev.dea.frame.FrameValues;
import dev.dea.frame.JdbcFrames;
import dev.dea.testing.TestMariaDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringWriter;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every MySQL/MariaDB type of the fixture (fixture/mysql-fixture.sql) decoded as
 * docs/frame-format.md says, edge values and NULLs included, read through the agent's own
 * MariaDB session and encoded with the frame's one JSON encoding.
 */
class MySqlValuesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String database;
    private static Map<String, FrameColumn> columns;
    /** Row id -> column name -> the value's JSON encoding. */
    private static Map<Integer, JsonNode> rows;

    @BeforeAll
    static void loadFixture() throws Exception {
        database = TestMariaDb.freshDatabase("mysqldb_it_values");
        TestMariaDb.runScript(database, "/fixture/mysql-fixture.sql");
        try (Database db = new Database(TestMariaDb.config(database), ConfigLoader.load(Map.of()).sql())) {
            db.readOnly(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM all_types ORDER BY id")) {
                    JdbcFrames frames = JdbcFrames.of(rs.getMetaData(), new MySqlColumns());
                    columns = new LinkedHashMap<>();
                    frames.columns().forEach(col -> columns.put(col.name(), col));
                    rows = new LinkedHashMap<>();
                    while (rs.next()) {
                        Object[] row = frames.readRow(rs);
                        rows.put(((Long) row[0]).intValue(), encode(frames.columns(), row));
                    }
                }
                return null;
            });
        }
    }

    @AfterAll
    static void dropDatabase() {
        TestMariaDb.drop(database);
    }

    private static JsonNode encode(List<FrameColumn> cols, Object[] row) throws SQLException {
        try {
            StringWriter out = new StringWriter();
            try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
                g.writeStartObject();
                for (int i = 0; i < row.length; i++) {
                    g.writeFieldName(cols.get(i).name());
                    FrameValues.write(g, row[i]);
                }
                g.writeEndObject();
            }
            return JSON.readTree(out.toString());
        } catch (IOException e) {
            throw new SQLException(e);
        }
    }

    private static ColumnKind kind(String column) {
        return columns.get(column).kind();
    }

    private static String text(int row, String column) {
        return rows.get(row).get(column).asText();
    }

    @Test
    void integersStayExactIncludingUnsignedBeyondInt64() {
        assertThat(kind("t_tinyint")).isEqualTo(ColumnKind.INT64);
        assertThat(kind("t_bigint")).isEqualTo(ColumnKind.INT64);
        assertThat(kind("t_int_unsigned")).isEqualTo(ColumnKind.INT64);
        assertThat(rows.get(1).get("t_bigint").longValue()).isEqualTo(Long.MIN_VALUE);
        assertThat(rows.get(2).get("t_bigint").longValue()).isEqualTo(Long.MAX_VALUE);
        assertThat(rows.get(1).get("t_int_unsigned").longValue()).isEqualTo(4294967295L);
        assertThat(kind("t_bigint_unsigned")).isEqualTo(ColumnKind.DECIMAL);
        assertThat(columns.get("t_bigint_unsigned").sourceType()).isEqualTo("bigint unsigned");
        assertThat(text(1, "t_bigint_unsigned")).isEqualTo("18446744073709551615");
        assertThat(text(4, "t_bigint_unsigned")).isEqualTo("9223372036854775808");
    }

    @Test
    void booleanIsTinyint1AndKeepsEveryValue() {
        assertThat(kind("t_bool")).isEqualTo(ColumnKind.INT64);
        assertThat(columns.get("t_bool").sourceType()).isEqualTo("tinyint(1)");
        assertThat(rows.get(1).get("t_bool").intValue()).isEqualTo(1);
        assertThat(rows.get(2).get("t_bool").intValue()).isZero();
        // TINYINT(1) may hold more than 0 and 1: kept, not folded into true.
        assertThat(rows.get(1).get("t_tinyint1").intValue()).isEqualTo(5);
    }

    @Test
    void bitsAreBooleansOrUnsignedNumbers() {
        assertThat(kind("t_bit1")).isEqualTo(ColumnKind.BOOL);
        assertThat(rows.get(1).get("t_bit1").booleanValue()).isTrue();
        assertThat(rows.get(2).get("t_bit1").booleanValue()).isFalse();
        assertThat(kind("t_bit8")).isEqualTo(ColumnKind.INT64);
        assertThat(rows.get(1).get("t_bit8").intValue()).isEqualTo(129);
        assertThat(kind("t_bit64")).isEqualTo(ColumnKind.DECIMAL);
        assertThat(text(1, "t_bit64")).isEqualTo("18446744073709551615");
        assertThat(text(2, "t_bit64")).isEqualTo("0");
    }

    @Test
    void decimalsAreExactAndFloatsAreDoubles() {
        assertThat(kind("t_decimal")).isEqualTo(ColumnKind.DECIMAL);
        assertThat(columns.get("t_decimal").sourceType()).isEqualTo("decimal(30,10)");
        assertThat(text(1, "t_decimal")).isEqualTo("12345678901234567890.0123456789");
        assertThat(text(2, "t_decimal")).isEqualTo("-0.0000000001");
        assertThat(kind("t_double")).isEqualTo(ColumnKind.FLOAT64);
        assertThat(rows.get(1).get("t_double").doubleValue()).isEqualTo(3.141592653589793);
        assertThat(rows.get(2).get("t_double").doubleValue()).isEqualTo(-1e308);
        assertThat(rows.get(1).get("t_float").doubleValue()).isEqualTo(1.5);
    }

    @Test
    void datesAndTimesAreIsoAndZeroDatesAreNull() {
        assertThat(kind("t_year")).isEqualTo(ColumnKind.INT64);
        assertThat(rows.get(1).get("t_year").intValue()).isEqualTo(2155);
        assertThat(rows.get(2).get("t_year").intValue()).isZero();
        assertThat(kind("t_date")).isEqualTo(ColumnKind.DATE);
        assertThat(text(1, "t_date")).isEqualTo("2024-02-29");
        assertThat(kind("t_datetime")).isEqualTo(ColumnKind.TIMESTAMP);
        assertThat(text(1, "t_datetime")).isEqualTo("2024-02-29T13:45:59.123456");
        assertThat(kind("t_timestamp")).isEqualTo(ColumnKind.TIMESTAMPTZ);
        assertThat(text(1, "t_timestamp")).isEqualTo("2038-01-19T03:14:07.999Z");
        assertThat(text(2, "t_timestamp")).isEqualTo("1970-01-01T00:00:01Z");
        // Zero dates, zero months and days: null, never a failed result.
        assertThat(rows.get(2).get("t_date").isNull()).isTrue();
        assertThat(rows.get(2).get("t_datetime").isNull()).isTrue();
        assertThat(rows.get(4).get("t_date").isNull()).isTrue();
        assertThat(rows.get(4).get("t_datetime").isNull()).isTrue();
    }

    @Test
    void timeIsTheServersDurationText() {
        assertThat(kind("t_time")).isEqualTo(ColumnKind.STRING);
        assertThat(columns.get("t_time").sourceType()).isEqualTo("time");
        assertThat(text(1, "t_time")).isEqualTo("838:59:59.000000");
        assertThat(text(2, "t_time")).isEqualTo("-838:59:59.000000");
        assertThat(text(4, "t_time")).isEqualTo("-00:00:01.500000");
    }

    @Test
    void textsEnumsSetsAndJson() {
        assertThat(kind("t_varchar")).isEqualTo(ColumnKind.STRING);
        assertThat(text(1, "t_varchar")).isEqualTo("héllo wörld 😀 𝄞");
        assertThat(text(2, "t_varchar")).isEmpty();
        assertThat(kind("t_enum")).isEqualTo(ColumnKind.STRING);
        assertThat(text(1, "t_enum")).isEqualTo("medium");
        assertThat(kind("t_set")).isEqualTo(ColumnKind.STRING);
        assertThat(text(1, "t_set")).isEqualTo("a,c");
        assertThat(text(2, "t_set")).isEmpty();
        assertThat(kind("t_json")).isEqualTo(ColumnKind.JSON);
        JsonNode json = rows.get(1).get("t_json");
        assertThat(json.get("k").get(1).doubleValue()).isEqualTo(2.5);
        assertThat(json.get("n").isNull()).isTrue();
        assertThat(rows.get(2).get("t_json").isArray()).isTrue();
    }

    @Test
    void binaryAndGeometryAreBytes() {
        assertThat(kind("t_blob")).isEqualTo(ColumnKind.BYTES);
        assertThat(text(1, "t_blob")).isEqualTo("AP8Q");
        assertThat(text(2, "t_blob")).isEmpty();
        assertThat(kind("t_binary")).isEqualTo(ColumnKind.BYTES);
        assertThat(text(1, "t_binary")).isEqualTo("3q2+7w==");
        assertThat(kind("t_varbinary")).isEqualTo(ColumnKind.BYTES);
        assertThat(kind("t_geometry")).isEqualTo(ColumnKind.BYTES);
        byte[] point = java.util.Base64.getDecoder().decode(text(1, "t_geometry"));
        // MySQL's internal format: SRID 0 (4 bytes), then WKB: little-endian, type 1 (point), x 1, y 2.
        assertThat(point).hasSize(25);
        assertThat(point[4]).isEqualTo((byte) 1);
        assertThat(point[5]).isEqualTo((byte) 1);
        assertThat(java.nio.ByteBuffer.wrap(point, 9, 16).order(java.nio.ByteOrder.LITTLE_ENDIAN).getDouble()).isEqualTo(1.0);
    }

    @Test
    void nullDecodesInEveryType() {
        List<String> notNull = new ArrayList<>();
        rows.get(3).fields().forEachRemaining(f -> {
            if (!f.getKey().equals("id") && !f.getValue().isNull()) {
                notNull.add(f.getKey());
            }
        });
        assertThat(notNull).isEmpty();
        assertThat(columns).hasSize(31);
    }
}
