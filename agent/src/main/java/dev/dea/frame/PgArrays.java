package dev.dea.frame;

import org.postgresql.core.BaseConnection;
import org.postgresql.jdbc.TimestampUtils;
import org.postgresql.util.PGbytea;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads array columns from PostgreSQL's own text form ({@code {1,NULL,"a b"}}) and decodes each
 * element exactly as a scalar column of the element's type is decoded, instead of through
 * pgjdbc's {@code getArray}, whose element conversions lose or refuse values: timestamptz
 * elements lost their offset, infinite dates became year 292278994, numeric NaN and bit strings
 * failed the whole query, and money failed to parse.
 */
final class PgArrays {
    @FunctionalInterface
    private interface Element {
        Object decode(String text) throws SQLException;
    }

    private final ColumnKind elementKind;
    private final char delimiter;
    /** Made on first use: it needs the connection's date/time parser, and a result is read on one connection. */
    private Element decoder;

    private PgArrays(ColumnKind elementKind, char delimiter) {
        this.elementKind = elementKind;
        this.delimiter = delimiter;
    }

    /** The reader for an array column whose type PostgreSQL names {@code arrayTypeName} ({@code _int4}). */
    static PgArrays forType(String arrayTypeName) {
        String t = arrayTypeName == null ? "" : arrayTypeName.toLowerCase(Locale.ROOT);
        String element = t.startsWith("_") ? t.substring(1) : t;
        ColumnKind kind = JdbcFrames.kindOf(element, java.sql.Types.OTHER);
        // box is the one built-in type whose array delimiter is not a comma (typdelim).
        return new PgArrays(kind == ColumnKind.ARRAY ? ColumnKind.STRING : kind, element.equals("box") ? ';' : ',');
    }

    Object read(ResultSet rs, int index) throws SQLException {
        String text = rs.getString(index);
        if (text == null) {
            return null;
        }
        if (decoder == null) {
            decoder = decoder(rs);
        }
        return new Parser(text, delimiter, decoder).parse();
    }

    private Element decoder(ResultSet rs) throws SQLException {
        return switch (elementKind) {
            case INT64 -> Long::parseLong;
            // Double.parseDouble reads PostgreSQL's NaN, Infinity and -Infinity as they are printed.
            case FLOAT64 -> Double::parseDouble;
            case BOOL -> t -> t.equals("t");
            case DECIMAL -> JdbcFrames::decimal;
            case DATE -> {
                TimestampUtils ts = timestamps(rs);
                yield t -> date(ts, t);
            }
            case TIMESTAMP -> {
                TimestampUtils ts = timestamps(rs);
                yield ts::toLocalDateTime;
            }
            case TIMESTAMPTZ -> {
                TimestampUtils ts = timestamps(rs);
                yield ts::toOffsetDateTime;
            }
            case JSON -> FrameValues.RawJson::new;
            case BYTES -> t -> PGbytea.toBytes(t.getBytes(StandardCharsets.US_ASCII));
            case TIME, STRING, ARRAY -> t -> t;
        };
    }

    private static TimestampUtils timestamps(ResultSet rs) throws SQLException {
        return rs.getStatement().getConnection().unwrap(BaseConnection.class).getTimestampUtils();
    }

    private static LocalDate date(TimestampUtils ts, String text) throws SQLException {
        // As pgjdbc's getObject(LocalDate): infinite dates are LocalDate.MAX / MIN, which FrameValues prints back.
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.equals("infinity")) {
            return LocalDate.MAX;
        }
        if (lower.equals("-infinity")) {
            return LocalDate.MIN;
        }
        LocalDateTime midnight = ts.toLocalDateTime(text);
        return midnight.toLocalDate();
    }

    /** PostgreSQL's array_out grammar: optional bounds, nested braces, quoted or bare elements, NULL. */
    private static final class Parser {
        private final String s;
        private final char delimiter;
        private final Element element;
        private int i;

        Parser(String s, char delimiter, Element element) {
            this.s = s;
            this.delimiter = delimiter;
            this.element = element;
        }

        Object[] parse() throws SQLException {
            if (s.startsWith("[")) {
                // Non-default lower bounds ("[0:1]={a,b}"): the frame keeps the elements, as pgjdbc did.
                i = s.indexOf('=') + 1;
            }
            Object[] result = list();
            if (i != s.length()) {
                throw malformed();
            }
            return result;
        }

        private Object[] list() throws SQLException {
            expect('{');
            List<Object> items = new ArrayList<>();
            if (peek() == '}') {
                i++;
                return items.toArray();
            }
            while (true) {
                items.add(peek() == '{' ? list() : item());
                char c = next();
                if (c == '}') {
                    return items.toArray();
                }
                if (c != delimiter) {
                    throw malformed();
                }
            }
        }

        private Object item() throws SQLException {
            StringBuilder sb = new StringBuilder();
            if (peek() == '"') {
                i++;
                while (true) {
                    char c = next();
                    if (c == '"') {
                        break;
                    }
                    sb.append(c == '\\' ? next() : c);
                }
                return element.decode(sb.toString());
            }
            while (peek() != delimiter && peek() != '}') {
                char c = next();
                sb.append(c == '\\' ? next() : c);
            }
            String bare = sb.toString().strip();
            return bare.equalsIgnoreCase("NULL") ? null : element.decode(bare);
        }

        private char peek() throws SQLException {
            if (i >= s.length()) {
                throw malformed();
            }
            return s.charAt(i);
        }

        private char next() throws SQLException {
            char c = peek();
            i++;
            return c;
        }

        private void expect(char c) throws SQLException {
            if (next() != c) {
                throw malformed();
            }
        }

        private SQLException malformed() {
            return new SQLException("Unexpected array text from the database at character " + (i + 1) + ": "
                    + (s.length() <= 80 ? s : s.substring(0, 80) + "..."));
        }
    }
}
