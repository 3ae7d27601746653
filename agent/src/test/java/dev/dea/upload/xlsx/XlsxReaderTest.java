package dev.dea.upload.xlsx;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class XlsxReaderTest {
    @Test
    void cellReferencesNameTheirColumnNumber() {
        assertThat(XlsxReader.columnIndex("A1")).isEqualTo(1);
        assertThat(XlsxReader.columnIndex("Z9")).isEqualTo(26);
        assertThat(XlsxReader.columnIndex("AA10")).isEqualTo(27);
        assertThat(XlsxReader.columnIndex("BC12")).isEqualTo(55);
    }

    @Test
    void customFormatsAreDatesWhenTheyShowDayMonthYearOrTime() {
        assertThat(Workbook.isDateFormat("yyyy\\-mm\\-dd")).isTrue();
        assertThat(Workbook.isDateFormat("[$-409]d-mmm-yy;@")).isTrue();
        assertThat(Workbook.isDateFormat("hh:mm:ss")).isTrue();
        assertThat(Workbook.isDateFormat("0.00")).isFalse();
        assertThat(Workbook.isDateFormat("#,##0 \"days\"")).isFalse();
        assertThat(Workbook.isDateFormat("[Red]0.00")).isFalse();
    }
}
