package dev.dea.sql;

import java.util.regex.Pattern;

/** Deny-list entries of both guards: a name in which {@code *} matches any run of characters. */
public final class NamePatterns {

    private NamePatterns() {
    }

    /** {@code pattern} with every {@code *} a wildcard and every other character literal. */
    public static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        int start = 0;
        for (int star = pattern.indexOf('*'); star >= 0; star = pattern.indexOf('*', start)) {
            regex.append(Pattern.quote(pattern.substring(start, star))).append(".*");
            start = star + 1;
        }
        regex.append(Pattern.quote(pattern.substring(start)));
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
