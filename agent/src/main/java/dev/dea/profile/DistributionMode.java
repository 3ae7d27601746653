package dev.dea.profile;

import dev.dea.error.AgentException;

import java.util.Locale;

/**
 * How a profile of a large table read in full gets its value distributions (histograms, top
 * values of columns with few values): {@link #AUTO} takes them from {@code pg_stats} above
 * {@code PROFILE_ESTIMATE_ABOVE_ROWS} when the statistics are there and fresh, {@link #EXACT}
 * always counts them (one more scan).
 */
public enum DistributionMode {
    AUTO, EXACT;

    /** The query parameter's value; absent or blank is {@link #AUTO}. */
    public static DistributionMode parse(String raw) {
        if (raw == null || raw.isBlank()) {
            return AUTO;
        }
        return switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "exact" -> EXACT;
            default -> throw AgentException.validation(
                    "Query parameter 'distribution' must be 'auto' or 'exact', got '" + raw + "'");
        };
    }
}
