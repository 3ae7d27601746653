package dev.dea.frame;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class EpochTimeTest {

    @Test
    void infinitiesAreTheTwoExtremeValuesBothWays() {
        assertThat(EpochTime.days(LocalDate.MAX)).isEqualTo(EpochTime.POSITIVE_INFINITY);
        assertThat(EpochTime.micros(LocalDateTime.MIN)).isEqualTo(EpochTime.NEGATIVE_INFINITY);
        assertThat(EpochTime.micros(OffsetDateTime.MAX)).isEqualTo(EpochTime.POSITIVE_INFINITY);
        assertThat(EpochTime.date(EpochTime.NEGATIVE_INFINITY)).isEqualTo(LocalDate.MIN);
        assertThat(EpochTime.timestamp(EpochTime.POSITIVE_INFINITY)).isEqualTo(LocalDateTime.MAX);
        assertThat(EpochTime.timestampTz(EpochTime.NEGATIVE_INFINITY)).isEqualTo(OffsetDateTime.MIN);
    }

    @Test
    void instantsBefore1970RoundTripToTheMicrosecond() {
        LocalDateTime t = LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_000);
        assertThat(EpochTime.micros(t)).isEqualTo(-1);
        assertThat(EpochTime.timestamp(-1)).isEqualTo(t);
        assertThat(EpochTime.date(EpochTime.days(LocalDate.of(1900, 3, 1)))).isEqualTo(LocalDate.of(1900, 3, 1));
    }

    @Test
    void subMicrosecondDigitsAreCutNotRounded() {
        LocalDateTime t = LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_999);
        assertThat(EpochTime.timestamp(EpochTime.micros(t))).isEqualTo(t.withNano(123_456_000));
    }

    @Test
    void timestamptzIsTheInstantWhateverItsOffset() {
        OffsetDateTime paris = OffsetDateTime.of(2024, 6, 1, 12, 0, 0, 0, ZoneOffset.ofHours(2));
        assertThat(EpochTime.micros(paris)).isEqualTo(EpochTime.micros(paris.withOffsetSameInstant(ZoneOffset.UTC)));
        assertThat(EpochTime.timestampTz(EpochTime.micros(paris))).isEqualTo(OffsetDateTime.of(2024, 6, 1, 10, 0, 0, 0, ZoneOffset.UTC));
    }
}
