package dev.dea.frame;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import static org.assertj.core.api.Assertions.assertThat;

class FrameValuesTest {
    @ParameterizedTest
    @ValueSource(strings = {"2024-01-02T03:04:05", "2024-01-02T03:04:05.678", "2024-12-31T23:59:59.5",
            "0001-01-01T00:00:00.000001", "9999-12-31T23:59:59.123456789", "1970-01-01T00:00", "2000-02-29T12:00:00.01"})
    void printsTimestampsExactlyAsTheIsoFormatterDoes(String text) {
        LocalDateTime t = LocalDateTime.parse(text);
        assertThat(FrameValues.formatTimestamp(t)).isEqualTo(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t));
        assertThat(FrameValues.formatDate(t.toLocalDate())).isEqualTo(t.toLocalDate().toString());
        for (ZoneOffset offset : new ZoneOffset[] {ZoneOffset.UTC, ZoneOffset.ofHours(2), ZoneOffset.ofHoursMinutes(-5, -30),
                ZoneOffset.ofHoursMinutesSeconds(1, 2, 3)}) {
            OffsetDateTime o = t.atOffset(offset);
            assertThat(FrameValues.formatTimestampTz(o)).isEqualTo(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(o));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 10000, 275760})
    void fallsBackToTheFormatterOutsideFourDigitYears(int year) {
        LocalDateTime t = LocalDateTime.of(year, 3, 4, 5, 6, 7);
        assertThat(FrameValues.formatTimestamp(t)).isEqualTo(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t));
        assertThat(FrameValues.formatDate(LocalDate.of(year, 1, 1))).isEqualTo(LocalDate.of(year, 1, 1).toString());
    }
}
