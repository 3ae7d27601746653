package dev.dea.config;

import java.util.Locale;
import java.util.Optional;

/** How log lines are written on stderr: one JSON object per line, or the human-readable pattern. */
public enum LogFormat {
    JSON,
    TEXT;

    /** The {@code LOG_FORMAT} value, also the suffix of the logback file defining the appender. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<LogFormat> parse(String value) {
        for (LogFormat f : values()) {
            if (f.value().equalsIgnoreCase(value.strip())) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
