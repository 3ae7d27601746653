package dev.dea.error;

import java.util.Map;

import static java.util.Objects.requireNonNull;

/** A statement the SQL guard refused; {@code rule} is a stable code such as {@code denied_function}. */
public final class SqlRejectedException extends AgentException {
    private final String rule;

    public SqlRejectedException(String rule, String message) {
        super(ErrorType.SQL_REJECTED, message, Map.of("rule", requireNonNull(rule, "rule")), null);
        this.rule = rule;
    }

    public String rule() {
        return rule;
    }
}
