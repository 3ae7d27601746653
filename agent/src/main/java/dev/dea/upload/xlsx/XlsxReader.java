package dev.dea.upload.xlsx;

import dev.dea.upload.source.MalformedFile;
import dev.dea.upload.source.ReadOptions;
import dev.dea.upload.source.RowSink;
import dev.dea.upload.source.TableReader;

import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import static javax.xml.stream.XMLStreamConstants.END_ELEMENT;
import static javax.xml.stream.XMLStreamConstants.START_ELEMENT;

/**
 * An Office Open XML workbook (xlsx), read with java.util.zip and StAX rather than a
 * spreadsheet library. One sheet (the first, or the one named or numbered by {@code sheet});
 * its first non-empty row names the columns. Strings (shared and inline) are text whose kind is
 * inferred; numbers are int64 when whole, float64 otherwise; booleans are bool; a number in a
 * cell whose number format is a date or time format is a date (whole) or a timestamp (with a
 * time of day), counted from 1899-12-30 (or 1904-01-01 in 1904-based workbooks). A cell holding
 * an Excel error (#DIV/0!, #N/A, ...) makes the file malformed. Formulas count by their cached value.
 */
public final class XlsxReader implements TableReader {
    private static final LocalDate EPOCH_1900 = LocalDate.of(1899, 12, 30);
    private static final LocalDate EPOCH_1904 = LocalDate.of(1904, 1, 1);
    /** XFD: Excel's last column. */
    static final int MAX_SHEET_COLUMNS = 16_384;
    private static final double MAX_DATE_SERIAL = 2_958_465;

    @Override
    public void read(Path file, ReadOptions options, RowSink sink) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new MalformedFile(1, 0, "the file is not an xlsx workbook (not a zip archive)");
        }
        try (zip) {
            Workbook workbook = Workbook.read(zip);
            String sheetPath = workbook.sheetPath(options.sheet());
            List<String> strings = Workbook.sharedStrings(zip);
            Set<Integer> dateStyles = Workbook.dateStyles(zip);
            LocalDate epoch = workbook.date1904() ? EPOCH_1904 : EPOCH_1900;
            try (var in = Workbook.open(zip, sheetPath)) {
                XMLStreamReader xml = Workbook.xml(in);
                readSheet(xml, strings, dateStyles, epoch, sink);
            } catch (XMLStreamException e) {
                throw new MalformedFile(e.getLocation() == null ? 1 : e.getLocation().getLineNumber(), 0,
                        "the sheet's XML is malformed");
            }
        }
    }

    private static void readSheet(XMLStreamReader xml, List<String> strings, Set<Integer> dateStyles, LocalDate epoch,
                                  RowSink sink) throws XMLStreamException {
        List<String> header = null;
        long rowNumber = 0;
        List<Object> cells = new ArrayList<>();
        int nextColumn = 1;
        String type = null;
        int style = 0;
        int column = 0;
        String value = null;
        StringBuilder inline = null;
        boolean inValue = false;
        while (xml.hasNext()) {
            int event = xml.next();
            if (event == START_ELEMENT) {
                switch (xml.getLocalName()) {
                    case "row" -> {
                        String r = xml.getAttributeValue(null, "r");
                        rowNumber = r == null ? rowNumber + 1 : rowNumber(r, rowNumber + 1);
                        cells.clear();
                        nextColumn = 1;
                    }
                    case "c" -> {
                        String ref = xml.getAttributeValue(null, "r");
                        column = ref == null ? nextColumn : columnIndex(ref);
                        if (column > MAX_SHEET_COLUMNS) {
                            throw new MalformedFile(rowNumber, 0, "the cell reference '" + abbreviate(ref)
                                    + "' is beyond the last column a sheet has (XFD)");
                        }
                        type = xml.getAttributeValue(null, "t");
                        String s = xml.getAttributeValue(null, "s");
                        style = s == null ? 0 : styleIndex(s, rowNumber, column);
                        value = null;
                        inline = null;
                    }
                    case "v" -> value = Workbook.text(xml, Workbook.MAX_CELL_CHARS, rowNumber, column);
                    case "is" -> inline = new StringBuilder();
                    case "t" -> {
                        if (inline != null) {
                            // An inline string's runs together are one cell's text.
                            inline.append(Workbook.text(xml, Workbook.MAX_CELL_CHARS - inline.length(), rowNumber, column));
                        }
                    }
                    default -> {
                    }
                }
            } else if (event == END_ELEMENT) {
                switch (xml.getLocalName()) {
                    case "c" -> {
                        Object cell = cell(type, style, value, inline, strings, dateStyles, epoch, rowNumber, column);
                        while (cells.size() < column) {
                            cells.add(null);
                        }
                        cells.set(column - 1, cell);
                        nextColumn = column + 1;
                    }
                    case "row" -> {
                        if (cells.stream().allMatch(java.util.Objects::isNull)) {
                            continue;
                        }
                        if (header == null) {
                            header = declare(cells, rowNumber, sink);
                        } else {
                            if (cells.size() > header.size()) {
                                for (int i = header.size(); i < cells.size(); i++) {
                                    if (cells.get(i) != null) {
                                        throw new MalformedFile(rowNumber, i + 1,
                                                "the cell is right of the last column the header row names");
                                    }
                                }
                            }
                            sink.row(rowNumber, cells.subList(0, Math.min(cells.size(), header.size())).toArray());
                        }
                    }
                    default -> {
                    }
                }
            }
        }
    }

    private static List<String> declare(List<Object> cells, long row, RowSink sink) {
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < cells.size(); i++) {
            Object c = cells.get(i);
            String name = c == null ? "" : c.toString().strip();
            if (name.isEmpty()) {
                name = "column_" + (i + 1);
            }
            if (!seen.add(name)) {
                throw new MalformedFile(row, i + 1, Optional.of(name), "the header row names column '" + name + "' twice");
            }
            names.add(name);
            sink.column(name, Optional.empty());
        }
        return names;
    }

    private static Object cell(String type, int style, String value, StringBuilder inline, List<String> strings,
                               Set<Integer> dateStyles, LocalDate epoch, long row, int column) {
        String t = type == null ? "n" : type;
        switch (t) {
            case "inlineStr":
                return inline == null || inline.isEmpty() ? null : inline.toString();
            case "s": {
                if (value == null) {
                    return null;
                }
                int index;
                try {
                    index = Integer.parseInt(value.strip());
                } catch (NumberFormatException e) {
                    index = -1;
                }
                if (index < 0 || index >= strings.size()) {
                    throw new MalformedFile(row, column, "the cell points to shared string " + value.strip()
                            + ", the workbook has " + strings.size());
                }
                String s = strings.get(index);
                return s.isEmpty() ? null : s;
            }
            case "str", "d":
                return value == null || value.isEmpty() ? null : value;
            case "b":
                return value == null ? null : Boolean.valueOf(value.strip().equals("1"));
            case "e":
                throw new MalformedFile(row, column, "the cell holds the Excel error " + (value == null ? "" : value.strip()));
            default:
                break;
        }
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new MalformedFile(row, column, "the numeric cell does not hold a number");
        }
        if (dateStyles.contains(style)) {
            // Excel's own dates end with 9999-12-31 (serial 2,958,465); anything past is no date.
            if (!(d >= -MAX_DATE_SERIAL && d < MAX_DATE_SERIAL + 1)) {
                throw new MalformedFile(row, column, "the date cell holds " + v + ", which is no date Excel can show");
            }
            long days = (long) Math.floor(d);
            double fraction = d - days;
            if (fraction == 0) {
                return epoch.plusDays(days);
            }
            long micros = Math.round(fraction * 86_400_000_000L);
            return epoch.plusDays(days).atStartOfDay().plusNanos(micros * 1_000L);
        }
        if (v.matches("[+-]?\\d{1,18}")) {
            return Long.parseLong(v);
        }
        return d;
    }

    /** {@code BC12} -> 55; beyond {@link #MAX_SHEET_COLUMNS}, {@code MAX_SHEET_COLUMNS + 1} (no overflow). */
    static int columnIndex(String ref) {
        int index = 0;
        for (int i = 0; i < ref.length(); i++) {
            char ch = Character.toUpperCase(ref.charAt(i));
            if (ch < 'A' || ch > 'Z') {
                break;
            }
            index = Math.min(index * 26 + (ch - 'A' + 1), MAX_SHEET_COLUMNS + 1);
        }
        return Math.max(index, 1);
    }

    private static long rowNumber(String r, long next) {
        try {
            long n = Long.parseLong(r.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new MalformedFile(next, 0, "the row's number '" + abbreviate(r) + "' is not a row number");
    }

    private static int styleIndex(String s, long row, int column) {
        try {
            int index = Integer.parseInt(s.strip());
            if (index >= 0) {
                return index;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new MalformedFile(row, column, "the cell's style '" + abbreviate(s) + "' is not a style number");
    }

    private static String abbreviate(String s) {
        return s.length() <= 20 ? s : s.substring(0, 20) + "...";
    }
}
