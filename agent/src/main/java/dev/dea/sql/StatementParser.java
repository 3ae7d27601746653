package dev.dea.sql;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statements;

import static java.util.Objects.requireNonNull;

/**
 * JSqlParser, configured for one dialect's lexical rules and bounded in time. The parse runs
 * on a pool thread so that a pathological input is abandoned at the deadline (JSqlParser
 * checks its interrupt flag and stops) instead of holding the request thread.
 */
public final class StatementParser {

    /**
     * The lexical rules JSqlParser must follow to split the text as the server does: which
     * quotes make strings, whether a backslash escapes, which comments exist.
     */
    public record Syntax(boolean dollarQuotedStrings, boolean backslashEscapes, boolean hashLineComments,
                         boolean doubleQuotedStrings) {
        /** standard_conforming_strings on: no backslash escapes outside E'' strings; "..." names. */
        public static final Syntax POSTGRESQL = new Syntax(true, false, false, false);
        /** MySQL and MariaDB under the default sql_mode (no ANSI_QUOTES, no NO_BACKSLASH_ESCAPES). */
        public static final Syntax MYSQL = new Syntax(false, true, true, true);
    }

    /** Why the text could not be parsed, short enough for an error message. */
    public static final class Failure extends Exception {
        private final boolean syntax;

        Failure(String reason, Throwable cause, boolean syntax) {
            super(reason, cause);
            this.syntax = syntax;
        }

        /** True when JSqlParser's grammar rejected the text, false when it ran out of time or stack. */
        public boolean syntax() {
            return syntax;
        }
    }

    // Deep but legal nesting recurses deeply in the generated parser; a large stack turns
    // what would be a StackOverflowError on a request thread into an ordinary parse.
    private static final long PARSER_STACK_BYTES = 16L * 1024 * 1024;
    private static final int MAX_REASON_LENGTH = 300;
    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

    private static final ExecutorService PARSER_THREADS = new ThreadPoolExecutor(
            0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
            task -> {
                Thread t = new Thread(null, task, "sql-guard-parser-" + THREAD_NUMBER.incrementAndGet(),
                        PARSER_STACK_BYTES);
                t.setDaemon(true);
                return t;
            });

    private final Duration timeout;
    private final Syntax syntax;

    public StatementParser(Duration timeout, Syntax syntax) {
        this.timeout = requireNonNull(timeout, "timeout");
        this.syntax = requireNonNull(syntax, "syntax");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("parse timeout must be positive");
        }
    }

    public Statements parse(String sql) throws Failure {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            // JSqlParser may retry with its slower "complex" mode; the retry only gets what
            // is left of the budget, so the whole parse stays within the timeout.
            return CCJSqlParserUtil.parseStatements(sql, PARSER_THREADS, parser -> parser
                    .withTimeOut(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())))
                    .withDollarQuotedStringTags(syntax.dollarQuotedStrings())
                    .withBackslashEscapeCharacter(syntax.backslashEscapes())
                    .withHashLineComments(syntax.hashLineComments())
                    .withSquareBracketQuotation(false)
                    .withDoubleQuotedStrings(syntax.doubleQuotedStrings())
                    .withUnsupportedStatements(false));
        } catch (JSQLParserException e) {
            throw new Failure(reason(e), e, !ranOutOfResources(e));
        } catch (RuntimeException e) {
            throw new Failure(firstLine(e.toString()), e, false);
        }
    }

    private static boolean ranOutOfResources(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t instanceof StackOverflowError || t instanceof InterruptedException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private String reason(JSQLParserException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return "parsing took longer than " + timeout.toMillis() + " ms";
            }
            if (t instanceof StackOverflowError) {
                return "the statement is nested too deeply";
            }
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return "parsing was interrupted";
            }
        }
        Throwable innermost = e;
        while (innermost.getCause() != null && innermost.getCause() != innermost) {
            innermost = innermost.getCause();
        }
        String message = innermost.getMessage() != null ? innermost.getMessage() : e.getMessage();
        return message == null ? innermost.getClass().getSimpleName() : firstLine(message);
    }

    public static String firstLine(String message) {
        String line = message.strip().lines().findFirst().orElse("").strip();
        if (line.startsWith("net.sf.jsqlparser.parser.")) {
            int colon = line.indexOf(": ");
            line = colon >= 0 ? line.substring(colon + 2) : line;
        }
        return line.length() > MAX_REASON_LENGTH ? line.substring(0, MAX_REASON_LENGTH) + "..." : line;
    }
}
