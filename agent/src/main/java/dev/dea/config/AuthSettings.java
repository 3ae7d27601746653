package dev.dea.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * How incoming requests authenticate: a bearer token (the default) or HMAC request
 * signing (docs/request-signing.md). The secrets are present in HMAC mode only and are
 * never rendered by {@link #toString()}.
 */
public record AuthSettings(Mode mode, Optional<String> hmacSecret, Optional<String> previousHmacSecret,
                           Duration maxAge, int nonceCacheSize) {

    public enum Mode {
        BEARER, HMAC;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public AuthSettings {
        requireNonNull(mode, "mode");
        requireNonNull(hmacSecret, "hmacSecret");
        requireNonNull(previousHmacSecret, "previousHmacSecret");
        requireNonNull(maxAge, "maxAge");
        if (mode == Mode.HMAC && hmacSecret.isEmpty()) {
            throw new IllegalArgumentException("HMAC mode needs a secret");
        }
    }

    /** Secrets a signature may be made with: the current one, then the previous one during a rotation. */
    public List<String> acceptedHmacSecrets() {
        return hmacSecret.map(s -> previousHmacSecret.map(p -> List.of(s, p)).orElseGet(() -> List.of(s))).orElse(List.of());
    }

    @Override
    public String toString() {
        return "AuthSettings[mode=" + mode.wireName() + (mode == Mode.HMAC
                ? ", secret=<redacted>" + (previousHmacSecret.isPresent() ? ", previousSecret=<redacted>" : "")
                + ", maxAge=" + maxAge.toSeconds() + "s, nonceCacheSize=" + nonceCacheSize
                : "") + "]";
    }
}
