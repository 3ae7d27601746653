package dev.dea.sql;

import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The guard's own reading of the text, following PostgreSQL's scanner (scan.l) rather than
 * JSqlParser's. The two disagree in places (JSqlParser has no backslash escapes in
 * {@code E''} strings, treats {@code //} as a comment, misreads {@code U&"..."}), and
 * wherever they disagree JSqlParser's tree may not be what PostgreSQL executes. This lexer
 * lets the guard refuse those constructs outright and audit the names PostgreSQL will see
 * against the names the tree accounts for.
 */
final class PgLexer {

    enum Kind { IDENT, QUOTED_IDENT, STRING, NUMBER, PARAM, OPERATOR, PUNCT }

    /**
     * {@code text} is the PostgreSQL name for identifiers (unquoted ones case-folded, quoted
     * ones unescaped and exact), the raw text otherwise.
     */
    record Token(Kind kind, String text, int start) {
        Token {
            requireNonNull(kind, "kind");
            requireNonNull(text, "text");
        }

        boolean isKeyword(String lowerCaseKeyword) {
            return kind == Kind.IDENT && text.equals(lowerCaseKeyword);
        }

        boolean isPunct(char c) {
            return kind == Kind.PUNCT && text.length() == 1 && text.charAt(0) == c;
        }

        boolean isIdentifier() {
            return kind == Kind.IDENT || kind == Kind.QUOTED_IDENT;
        }
    }

    /** {@code problem} is null when the text is lexically clean, else why the guard refuses it. */
    record Result(List<Token> tokens, String problem) {
        Result {
            tokens = List.copyOf(tokens);
        }
    }

    private final String s;
    private final int n;
    private final List<Token> tokens = new ArrayList<>();
    private String problem;
    private int i;

    private PgLexer(String s) {
        this.s = s;
        this.n = s.length();
    }

    static Result lex(String sql) {
        PgLexer lexer = new PgLexer(requireNonNull(sql, "sql"));
        lexer.run();
        return new Result(lexer.tokens, lexer.problem);
    }

    /** True when the text holds nothing PostgreSQL would execute: only whitespace and comments. */
    static boolean isBlankOrComment(String sql) {
        Result r = lex(sql);
        return r.tokens().isEmpty() && r.problem() == null;
    }

    private void run() {
        while (i < n && problem == null) {
            char c = s.charAt(i);
            if (isSpace(c)) {
                i++;
            } else if (c == '-' && peek(1) == '-') {
                skipLineComment();
            } else if (c == '/' && peek(1) == '*') {
                skipBlockComment();
            } else if (c == '\'') {
                scanString(i, i, false);
            } else if (c == '"') {
                scanQuotedIdentifier(i);
            } else if (c == '$') {
                scanDollar();
            } else if (isIdentStart(c)) {
                scanWord();
            } else if (isDigit(c) || (c == '.' && isDigit(peek(1)))) {
                scanNumber();
            } else if (c == ':' && peek(1) == ':') {
                add(Kind.PUNCT, "::", i);
                i += 2;
            } else if (c == '{' || c == '}') {
                fail("JDBC escape syntax ({...}) is not supported");
            } else if (isOperatorChar(c)) {
                scanOperator();
            } else {
                add(Kind.PUNCT, String.valueOf(c), i);
                i++;
            }
        }
    }

    private void skipLineComment() {
        while (i < n && s.charAt(i) != '\n' && s.charAt(i) != '\r') {
            i++;
        }
    }

    // PostgreSQL nests block comments; the driver's splitter does too.
    private void skipBlockComment() {
        int depth = 0;
        while (i < n) {
            if (s.charAt(i) == '/' && peek(1) == '*') {
                depth++;
                i += 2;
            } else if (s.charAt(i) == '*' && peek(1) == '/') {
                depth--;
                i += 2;
                if (depth == 0) {
                    return;
                }
            } else {
                i++;
            }
        }
        fail("unterminated /* comment");
    }

    /**
     * A quoted string whose opening quote is at {@code quote}; {@code start} includes any
     * prefix. With {@code backslashEscapes} (E'' strings) a backslash escapes the next
     * character, so {@code \'} does not end the string, which JSqlParser does not know.
     * Either way a backslash before a quote is refused: it is the one place where readers
     * (JSqlParser, or a server with standard_conforming_strings off) split strings differently.
     */
    private void scanString(int start, int quote, boolean backslashEscapes) {
        int j = quote + 1;
        while (j < n) {
            char c = s.charAt(j);
            if (backslashEscapes && c == '\\' && j + 1 < n) {
                if (s.charAt(j + 1) == '\'') {
                    fail("backslash-escaped quotes (\\') in E'' strings are not supported; write '' instead");
                    return;
                }
                j += 2;
            } else if (c == '\'') {
                if (!backslashEscapes && s.charAt(j - 1) == '\\' && j - 1 > quote) {
                    // With standard_conforming_strings off this quote would be escaped; the
                    // text would then split differently for the server than for the guard.
                    fail("a backslash before a quote in a string literal is not supported; "
                            + "it means different things depending on standard_conforming_strings");
                    return;
                }
                if (j + 1 < n && s.charAt(j + 1) == '\'') {
                    j += 2;
                } else {
                    add(Kind.STRING, s.substring(start, j + 1), start);
                    i = j + 1;
                    return;
                }
            } else {
                j++;
            }
        }
        fail("unterminated quoted string");
    }

    private void scanQuotedIdentifier(int start) {
        StringBuilder name = new StringBuilder();
        int j = start + 1;
        while (j < n) {
            char c = s.charAt(j);
            if (c == '"') {
                if (j + 1 < n && s.charAt(j + 1) == '"') {
                    name.append('"');
                    j += 2;
                } else {
                    add(Kind.QUOTED_IDENT, PgNames.truncate(name.toString()), start);
                    i = j + 1;
                    return;
                }
            } else {
                name.append(c);
                j++;
            }
        }
        fail("unterminated quoted identifier");
    }

    /** {@code $1} parameters, {@code $tag$...$tag$} dollar quotes, or a stray dollar sign. */
    private void scanDollar() {
        int start = i;
        if (isDigit(peek(1))) {
            int j = i + 1;
            while (j < n && isDigit(s.charAt(j))) {
                j++;
            }
            add(Kind.PARAM, s.substring(start, j), start);
            i = j;
            return;
        }
        int j = i + 1;
        if (j < n && isIdentStart(s.charAt(j))) {
            while (j < n && isDollarTagChar(s.charAt(j))) {
                j++;
            }
        }
        if (j < n && s.charAt(j) == '$') {
            String delimiter = s.substring(start, j + 1);
            int end = s.indexOf(delimiter, j + 1);
            if (end < 0) {
                fail("unterminated dollar-quoted string");
                return;
            }
            add(Kind.STRING, s.substring(start, end + delimiter.length()), start);
            i = end + delimiter.length();
            return;
        }
        add(Kind.PUNCT, "$", start);
        i++;
    }

    private void scanWord() {
        int start = i;
        int j = i + 1;
        while (j < n && isIdentCont(s.charAt(j))) {
            j++;
        }
        String word = s.substring(start, j);
        // Flex takes the longest match, so a lone E/B/X/N/U& directly before a quote is a
        // string prefix, not an identifier.
        if (word.length() == 1 && j < n) {
            char p = Character.toLowerCase(word.charAt(0));
            char next = s.charAt(j);
            if (next == '\'' && (p == 'e' || p == 'b' || p == 'x' || p == 'n')) {
                scanString(start, j, p == 'e');
                return;
            }
            if (p == 'u' && next == '&' && j + 1 < n) {
                if (s.charAt(j + 1) == '\'') {
                    scanString(start, j + 1, false);
                    return;
                }
                if (s.charAt(j + 1) == '"') {
                    fail("Unicode-escaped identifiers (U&\"...\") are not supported");
                    return;
                }
            }
        }
        add(Kind.IDENT, PgNames.truncate(foldAscii(word)), start);
        i = j;
    }

    // Deliberately loose (PostgreSQL 16 also takes 0x.., 1_000): letters after the digits
    // start a new identifier, so a name glued to a number is still seen as a name.
    private void scanNumber() {
        int start = i;
        int j = i;
        if (s.charAt(j) == '0' && j + 1 < n && "xXoObB".indexOf(s.charAt(j + 1)) >= 0) {
            j += 2;
            while (j < n && (Character.digit(s.charAt(j), 16) >= 0 || s.charAt(j) == '_')) {
                j++;
            }
        } else {
            while (j < n && (isDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                j++;
            }
            if (j < n && s.charAt(j) == '.' && !(j + 1 < n && s.charAt(j + 1) == '.')) {
                j++;
                while (j < n && (isDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
            }
            if (j < n && (s.charAt(j) == 'e' || s.charAt(j) == 'E')) {
                int k = j + 1;
                if (k < n && (s.charAt(k) == '+' || s.charAt(k) == '-')) {
                    k++;
                }
                if (k < n && isDigit(s.charAt(k))) {
                    j = k;
                    while (j < n && isDigit(s.charAt(j))) {
                        j++;
                    }
                }
            }
        }
        add(Kind.NUMBER, s.substring(start, j), start);
        i = j;
    }

    // As in PostgreSQL, an operator stops where a comment starts.
    private void scanOperator() {
        int start = i;
        int j = i;
        while (j < n && isOperatorChar(s.charAt(j))) {
            if (j > start && (s.startsWith("--", j) || s.startsWith("/*", j))) {
                break;
            }
            j++;
        }
        // PostgreSQL's rule: a multi-character operator cannot end in + or - unless it also
        // holds one of ~ ! @ # ^ & | ` ? %, so "*-1" is "*" then "-1" (scan.l).
        int len = j - start;
        if (len > 1 && (s.charAt(start + len - 1) == '+' || s.charAt(start + len - 1) == '-')) {
            boolean special = false;
            for (int ic = start; ic < start + len - 1; ic++) {
                if ("~!@#^&|`?%".indexOf(s.charAt(ic)) >= 0) {
                    special = true;
                    break;
                }
            }
            if (!special) {
                do {
                    len--;
                } while (len > 1 && (s.charAt(start + len - 1) == '+' || s.charAt(start + len - 1) == '-'));
            }
        }
        j = start + len;
        String op = s.substring(start, j);
        if (op.contains("//")) {
            fail("the operator // is not supported");
            return;
        }
        add(Kind.OPERATOR, op, start);
        i = j;
    }

    /**
     * PostgreSQL folds only A-Z in a UTF-8 database (downcase_identifier); Java's
     * toLowerCase would also fold letters such as the Kelvin sign into ASCII, making the
     * guard see a name PostgreSQL does not.
     */
    static String foldAscii(String word) {
        StringBuilder sb = null;
        for (int k = 0; k < word.length(); k++) {
            char c = word.charAt(k);
            if (c >= 'A' && c <= 'Z') {
                if (sb == null) {
                    sb = new StringBuilder(word);
                }
                sb.setCharAt(k, (char) (c + ('a' - 'A')));
            }
        }
        return sb == null ? word : sb.toString();
    }

    private void add(Kind kind, String text, int start) {
        tokens.add(new Token(kind, text, start));
    }

    private void fail(String reason) {
        if (problem == null) {
            problem = reason;
        }
        i = n;
    }

    private char peek(int ahead) {
        int j = i + ahead;
        return j < n ? s.charAt(j) : '\0';
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= '\u0080';
    }

    private static boolean isDollarTagChar(char c) {
        return isIdentStart(c) || isDigit(c);
    }

    private static boolean isIdentCont(char c) {
        return isDollarTagChar(c) || c == '$';
    }

    // PostgreSQL's "self" and "op_chars" sets minus the punctuation handled separately.
    private static boolean isOperatorChar(char c) {
        return "~!@#^&|`?+-*/%<>=".indexOf(c) >= 0;
    }
}
