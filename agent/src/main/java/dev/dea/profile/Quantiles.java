package dev.dea.profile;

import com.fasterxml.jackson.annotation.JsonProperty;

import static java.util.Objects.requireNonNull;

/**
 * Quartiles. Integer and float columns interpolate ({@code percentile_cont}, doubles); numeric
 * columns report actual values ({@code percentile_disc}, exact decimal strings) so no precision is
 * lost to a float conversion.
 */
public record Quantiles(
        @JsonProperty("p25") Object p25,
        @JsonProperty("p50") Object p50,
        @JsonProperty("p75") Object p75) {

    public Quantiles {
        requireNonNull(p25, "p25");
        requireNonNull(p50, "p50");
        requireNonNull(p75, "p75");
    }
}
