package dev.dea.sql.mysql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * The guard's own reading of the text, following the MySQL and MariaDB scanner (sql_lex.cc)
 * under the default sql_mode: {@code #} and {@code -- } comments, non-nesting block
 * comments, '' and "" strings with backslash escapes, backtick identifiers, identifiers
 * that may start with a digit. It refuses what would make the server run text the guard
 * cannot judge: executable comments ({@code /*! ... *}{@code /}, MariaDB's
 * {@code /*M! ... *}{@code /}), optimizer hints ({@code /*+ ... *}{@code /}, which may set
 * session variables), and strings whose end depends on NO_BACKSLASH_ESCAPES.
 */
final class MySqlLexer {

    enum Kind { IDENT, QUOTED_IDENT, STRING, NUMBER, VARIABLE, PARAM, OPERATOR, PUNCT }

    /**
     * {@code text}: identifiers lower-cased (quoted ones unescaped); strings and everything
     * else as written. {@code end} is exclusive, so two tokens touch when one's end is the
     * next one's start.
     */
    record Token(Kind kind, String text, int start, int end) {
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

        boolean isDoubleQuotedString() {
            return kind == Kind.STRING && text.startsWith("\"");
        }
    }

    /** Why the text is refused before any rule runs; {@code rule} is the SQL_REJECTED rule code. */
    record Problem(String rule, String message) {
        Problem {
            requireNonNull(rule, "rule");
            requireNonNull(message, "message");
        }
    }

    /** {@code problem} is null when the text is lexically clean. */
    record Result(List<Token> tokens, Problem problem) {
        Result {
            tokens = List.copyOf(tokens);
        }

        /** Statements the server would see: non-empty runs of tokens between semicolons. */
        int statementCount() {
            int count = 0;
            boolean open = false;
            for (Token t : tokens) {
                if (t.isPunct(';')) {
                    open = false;
                } else if (!open) {
                    open = true;
                    count++;
                }
            }
            return count;
        }
    }

    private final String s;
    private final int n;
    private final List<Token> tokens = new ArrayList<>();
    private Problem problem;
    private int i;

    private MySqlLexer(String s) {
        this.s = s;
        this.n = s.length();
    }

    static Result lex(String sql) {
        MySqlLexer lexer = new MySqlLexer(requireNonNull(sql, "sql"));
        lexer.run();
        return new Result(lexer.tokens, lexer.problem);
    }

    private void run() {
        rejectControlCharacters();
        while (i < n && problem == null) {
            char c = s.charAt(i);
            if (isSpace(c)) {
                i++;
            } else if (c == '#') {
                skipToEndOfLine();
            } else if (c == '-' && peek(1) == '-' && (i + 2 >= n || s.charAt(i + 2) <= ' ')) {
                // "--" is a comment only before a space or control character: "1--1" is 1 - (-1).
                skipToEndOfLine();
            } else if (c == '/' && peek(1) == '*') {
                blockComment();
            } else if (c == '\'' || c == '"') {
                scanString(i, i);
            } else if (c == '`') {
                scanBacktickIdentifier();
            } else if (c == '@') {
                int start = i;
                i += peek(1) == '@' ? 2 : 1;
                add(Kind.VARIABLE, s.substring(start, i), start);
            } else if (c == '?') {
                add(Kind.PARAM, "?", i);
                i++;
            } else if (c == ':' && peek(1) == '=') {
                add(Kind.OPERATOR, ":=", i);
                i += 2;
            } else if (c == '{' || c == '}') {
                fail("parse_error", "ODBC/JDBC escape syntax ({...}) is not supported");
            } else if (c == '.' && isDigit(peek(1)) && !afterName()) {
                scanFraction();
            } else if (isWordChar(c)) {
                scanNumberOrWord();
            } else {
                add(Kind.PUNCT, String.valueOf(c), i);
                i++;
            }
        }
    }

    /**
     * Control characters other than the usual whitespace are refused anywhere, strings
     * included: the server's scanner gives some of them meanings of their own (a NUL ends a
     * {@code #} comment, DEL after {@code --} opens one), and no query needs them.
     */
    private void rejectControlCharacters() {
        for (int j = 0; j < n; j++) {
            char c = s.charAt(j);
            if ((c < ' ' && !isSpace(c)) || c == '\u007F') {
                fail("parse_error", String.format("the control character U+%04X at position %d is not allowed", (int) c, j));
                return;
            }
        }
    }

    // The server ends # and -- comments at a line feed only; a lone \r does not end them.
    private void skipToEndOfLine() {
        while (i < n && s.charAt(i) != '\n') {
            i++;
        }
    }

    private void blockComment() {
        char marker = peek(2);
        if (marker == '!') {
            fail("executable_comment", "executable comments (/*! ... */) are not allowed: the server runs their content");
            return;
        }
        if ((marker == 'M' || marker == 'm') && peek(3) == '!') {
            fail("executable_comment", "MariaDB executable comments (/*M! ... */) are not allowed: the server runs their content");
            return;
        }
        if (marker == '+') {
            fail("optimizer_hint", "optimizer hints (/*+ ... */) are not allowed: they can change session variables "
                    + "and limits for the statement");
            return;
        }
        // Block comments do not nest: the first */ ends the comment.
        int end = s.indexOf("*/", i + 2);
        if (end < 0) {
            fail("parse_error", "unterminated /* comment");
            return;
        }
        i = end + 2;
    }

    /**
     * A string from the quote at {@code quote} ({@code start} includes an N/X/B prefix).
     * A backslash escapes the next character, but one that escapes the closing quote is
     * refused: with NO_BACKSLASH_ESCAPES the server would end the string there instead.
     */
    private void scanString(int start, int quote) {
        char q = s.charAt(quote);
        int j = quote + 1;
        while (j < n) {
            char c = s.charAt(j);
            if (c == '\\' && j + 1 < n) {
                if (s.charAt(j + 1) == q) {
                    fail("parse_error", "a backslash-escaped quote (\\" + q + ") in a string is not supported: where "
                            + "the string ends then depends on sql_mode; double the quote instead (" + q + q + ")");
                    return;
                }
                j += 2;
            } else if (c == q) {
                if (j + 1 < n && s.charAt(j + 1) == q) {
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
        fail("parse_error", "unterminated quoted string");
    }

    private void scanBacktickIdentifier() {
        int start = i;
        StringBuilder name = new StringBuilder();
        int j = i + 1;
        while (j < n) {
            char c = s.charAt(j);
            if (c == '`') {
                if (j + 1 < n && s.charAt(j + 1) == '`') {
                    name.append('`');
                    j += 2;
                } else {
                    i = j + 1;
                    add(Kind.QUOTED_IDENT, name.toString().toLowerCase(Locale.ROOT), start, i);
                    return;
                }
            } else {
                name.append(c);
                j++;
            }
        }
        fail("parse_error", "unterminated `quoted` identifier");
    }

    /**
     * Numbers and words: MySQL identifiers may start with a digit ({@code 1abc}) as long as
     * they are not a number, so the whole run of word characters decides.
     */
    private void scanNumberOrWord() {
        int start = i;
        int j = i;
        while (j < n && isWordChar(s.charAt(j))) {
            j++;
        }
        String word = s.substring(start, j);
        if (word.length() == 1 && j < n && s.charAt(j) == '\'' && "nNxXbB".indexOf(word.charAt(0)) >= 0) {
            scanString(start, j);
            return;
        }
        if (isNumberStart(word)) {
            int end = numberEnd(start);
            if (end > start) {
                add(Kind.NUMBER, s.substring(start, end), start, end);
                i = end;
                return;
            }
        }
        add(Kind.IDENT, word.toLowerCase(Locale.ROOT), start, j);
        i = j;
    }

    private static boolean isNumberStart(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        return w.chars().allMatch(MySqlLexer::isDigit)
                || w.matches("0x[0-9a-f]+") || w.matches("0b[01]+") || w.matches("[0-9]+e[0-9]*");
    }

    /** End of the number starting at {@code start}: hex, binary, or decimal with fraction and exponent. */
    private int numberEnd(int start) {
        int j = start;
        if (s.startsWith("0x", j) || s.startsWith("0X", j) || s.startsWith("0b", j) || s.startsWith("0B", j)) {
            j += 2;
            while (j < n && Character.digit(s.charAt(j), 16) >= 0) {
                j++;
            }
            return j;
        }
        while (j < n && isDigit(s.charAt(j))) {
            j++;
        }
        if (j < n && s.charAt(j) == '.') {
            j++;
            while (j < n && isDigit(s.charAt(j))) {
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
        // Word characters glued to a number make it a name after all (1e5x, 12abc).
        if (j < n && isWordChar(s.charAt(j))) {
            return start;
        }
        return j;
    }

    /** Right after a name, {@code .5} is a dot and a name part ({@code t.5col}), not a number. */
    private boolean afterName() {
        if (tokens.isEmpty()) {
            return false;
        }
        Token last = tokens.get(tokens.size() - 1);
        return last.isIdentifier() && last.end() == i;
    }

    /** {@code .5}, {@code .5e3}. */
    private void scanFraction() {
        int start = i;
        int j = numberEnd(i);
        if (j == start) {
            add(Kind.PUNCT, ".", start, start + 1);
            i++;
            return;
        }
        add(Kind.NUMBER, s.substring(start, j), start, j);
        i = j;
    }

    private void add(Kind kind, String text, int start) {
        add(kind, text, start, start + text.length());
    }

    private void add(Kind kind, String text, int start, int end) {
        tokens.add(new Token(kind, text, start, end));
    }

    private void fail(String rule, String message) {
        if (problem == null) {
            problem = new Problem(rule, message);
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

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_' || c == '$' || c >= '\u0080';
    }
}
