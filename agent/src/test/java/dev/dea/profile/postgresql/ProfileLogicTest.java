package dev.dea.profile.postgresql;

import dev.dea.frame.FrameValues;
import dev.dea.frame.ColumnKind;
import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class ProfileLogicTest {
    private static ColumnFacts facts(String name, String leaf, char typtype, char category, boolean array,
                                     boolean domain, boolean orderable) {
        return new ColumnFacts(name, leaf, domain, domain ? "integer" : leaf, leaf, typtype, category, array, orderable,
                orderable);
    }

    @Test
    void leafTypesDecideTheStatistics() {
        assertThat(facts("a", "int4", 'b', 'N', false, false, true).statKind()).isEqualTo(StatKind.INTEGER);
        assertThat(facts("a", "numeric", 'b', 'N', false, false, true).statKind()).isEqualTo(StatKind.DECIMAL);
        assertThat(facts("a", "float4", 'b', 'N', false, false, true).statKind()).isEqualTo(StatKind.FLOAT);
        assertThat(facts("a", "varchar", 'b', 'S', false, false, true).statKind()).isEqualTo(StatKind.TEXT);
        assertThat(facts("a", "mood", 'e', 'E', false, false, false).statKind()).isEqualTo(StatKind.ENUM);
        assertThat(facts("a", "text", 'b', 'S', true, false, true).statKind()).isEqualTo(StatKind.ARRAY);
        assertThat(facts("a", "jsonb", 'b', 'U', false, false, true).statKind()).isEqualTo(StatKind.JSON);
        assertThat(facts("a", "tsvector", 'b', 'U', false, false, true).statKind()).isEqualTo(StatKind.TSVECTOR);
        assertThat(facts("a", "uuid", 'b', 'U', false, false, true).statKind()).isEqualTo(StatKind.OTHER);
    }

    @Test
    void kindsAgreeWithQueryResultFrames() {
        assertThat(facts("a", "int8", 'b', 'N', false, false, true).columnKind()).isEqualTo(ColumnKind.INT64);
        assertThat(facts("a", "timestamptz", 'b', 'D', false, false, true).columnKind()).isEqualTo(ColumnKind.TIMESTAMPTZ);
        assertThat(facts("a", "time", 'b', 'D', false, false, true).columnKind()).isEqualTo(ColumnKind.TIME);
        assertThat(facts("a", "int4", 'b', 'N', true, false, true).columnKind()).isEqualTo(ColumnKind.ARRAY);
        assertThat(facts("a", "mood", 'e', 'E', false, false, true).columnKind()).isEqualTo(ColumnKind.STRING);
    }

    @Test
    void polymorphicAndCompositeTypesGetTheirComparabilityFromTheirKind() {
        ColumnFacts enumFacts = facts("a", "mood", 'e', 'E', false, false, false);
        assertThat(enumFacts.orderable()).isTrue();
        assertThat(enumFacts.groupable()).isTrue();
        ColumnFacts composite = facts("a", "pair", 'c', 'C', false, false, true);
        assertThat(composite.orderable()).isFalse();
        assertThat(composite.groupable()).isFalse();
    }

    @Test
    void columnExpressionsQuoteTheNameAndCastDomainsToTheirBase() {
        ColumnFacts weird = facts("x\"); DROP TABLE t; --", "int4", 'b', 'N', false, false, true);
        assertThat(weird.expr()).isEqualTo("src.\"x\"\"); DROP TABLE t; --\"");
        ColumnFacts year = facts("release_year", "int4", 'b', 'N', false, true, true);
        assertThat(year.expr()).isEqualTo("(src.\"release_year\")::integer");
    }

    @Test
    void finiteConditionsFollowTheServerVersion() {
        ColumnFacts n = facts("n", "numeric", 'b', 'N', false, false, true);
        assertThat(n.finiteCondition(15)).contains("'Infinity'");
        assertThat(n.finiteCondition(13)).doesNotContain("Infinity").contains("'NaN'");
        assertThat(facts("d", "date", 'b', 'D', false, false, true).finiteCondition(15)).startsWith("isfinite(");
        assertThat(facts("i", "int4", 'b', 'N', false, false, true).finiteCondition(15)).isEqualTo("true");
    }

    @Test
    void valuesAreJsonSafe() {
        assertThat(ProfileValues.number(Double.NaN)).isEqualTo("NaN");
        assertThat(ProfileValues.number(Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
        assertThat(ProfileValues.number(1.5)).isEqualTo(1.5);
        assertThat(ProfileValues.approximate("288.819436095749")).isEqualTo(288.819);
        assertThat(ProfileValues.approximate("1e400")).isEqualTo("Infinity");
        assertThat(ProfileValues.approximate((String) null)).isNull();
        assertThat(ProfileValues.typed(StatKind.INTEGER, "42")).isEqualTo(42L);
        assertThat(ProfileValues.typed(StatKind.FLOAT, "NaN")).isEqualTo("NaN");
        assertThat(ProfileValues.typed(StatKind.BOOL, "true")).isEqualTo(true);
        assertThat(ProfileValues.typed(StatKind.DECIMAL, "4.99")).isEqualTo("4.99");
        assertThat(ProfileValues.typed(StatKind.TIMESTAMPTZ, "2022-09-10T16:46:03.905795+00:00"))
                .isEqualTo("2022-09-10T16:46:03.905795Z");
        assertThat((String) ProfileValues.typed(StatKind.TEXT, "y".repeat(201))).hasSize(201).endsWith("…");
        assertThat(ProfileValues.typed(StatKind.TEXT, "y".repeat(200))).isEqualTo("y".repeat(200));
        assertThat(ProfileValues.iso(LocalDateTime.parse("2021-06-01T13:00"))).isEqualTo("2021-06-01T13:00:00");
        assertThat(ProfileValues.iso(OffsetDateTime.parse("2022-01-02T00:00+02:00"))).isEqualTo("2022-01-01T22:00:00Z");
    }

    @Test
    void spellsInstantsLikeResultFrames() {
        OffsetDateTime halfSecond = OffsetDateTime.parse("2022-01-02T00:00:00.5+01:00");
        assertThat(ProfileValues.iso(halfSecond)).isEqualTo("2022-01-01T23:00:00.5Z")
                .isEqualTo(FrameValues.formatTimestampTz(halfSecond.withOffsetSameInstant(ZoneOffset.UTC)));
        assertThat(ProfileValues.iso(OffsetDateTime.MAX)).isEqualTo("infinity");
        assertThat(ProfileValues.iso(OffsetDateTime.MIN)).isEqualTo("-infinity");
    }

    @Test
    void samplePercentTargetsTheConfiguredRows() {
        assertThat(PostgresTableProfiler.samplePercent(10_000, 1_100_000)).isEqualTo(0.9091);
        assertThat(PostgresTableProfiler.samplePercent(300, 1_000)).isEqualTo(30.0);
        assertThat(PostgresTableProfiler.samplePercent(10, 0)).isEqualTo(1000.0);
    }
}
