package dev.dea.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthSettingsTest {
    private static final String SECRET = "hmac-secret-0123456789abcdef-0123456789";
    private static final String PREVIOUS = "hmac-previous-0123456789abcdef-01234567";

    private static Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("DB_HOST", "db.internal", "DB_USER", "reader", "DB_NAME", "analytics",
                "AGENT_SECRET_TOKEN", "0123456789abcdef0123"));
        env.putAll(extra);
        return env;
    }

    @Test
    void bearerIsTheDefault() {
        AuthSettings auth = ConfigLoader.load(env(Map.of())).auth();
        assertThat(auth.mode()).isEqualTo(AuthSettings.Mode.BEARER);
        assertThat(auth.acceptedHmacSecrets()).isEmpty();
        assertThat(auth.maxAge()).isEqualTo(Duration.ofSeconds(300));
        assertThat(auth.nonceCacheSize()).isEqualTo(100_000);
    }

    @Test
    void readsHmacModeWithARotationSecret() {
        AuthSettings auth = ConfigLoader.load(env(Map.of("AUTH_MODE", "HMAC", "AGENT_HMAC_SECRET", SECRET,
                "AGENT_PREVIOUS_HMAC_SECRET", PREVIOUS, "HMAC_MAX_AGE_SECONDS", "60", "HMAC_NONCE_CACHE_SIZE", "5000"))).auth();
        assertThat(auth.mode()).isEqualTo(AuthSettings.Mode.HMAC);
        assertThat(auth.acceptedHmacSecrets()).containsExactly(SECRET, PREVIOUS);
        assertThat(auth.maxAge()).isEqualTo(Duration.ofSeconds(60));
        assertThat(auth.nonceCacheSize()).isEqualTo(5_000);
    }

    @Test
    void hmacModeNeedsASecret() {
        assertThatThrownBy(() -> ConfigLoader.load(env(Map.of("AUTH_MODE", "hmac"))))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p).startsWith("AGENT_HMAC_SECRET is required when AUTH_MODE=hmac")));
    }

    @Test
    void reportsEveryAuthProblemAtOnce() {
        Map<String, String> bad = env(Map.of("AUTH_MODE", "hmac", "AGENT_HMAC_SECRET", "too-short",
                "AGENT_PREVIOUS_HMAC_SECRET", "has a space but is long enough 0123456789",
                "HMAC_MAX_AGE_SECONDS", "5", "HMAC_NONCE_CACHE_SIZE", "many", "AGENT_PORT", "99999"));
        assertThatThrownBy(() -> ConfigLoader.load(bad))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems())
                            .anySatisfy(p -> assertThat(p).startsWith("AGENT_HMAC_SECRET is too short (9 characters); use at least 32"))
                            .anySatisfy(p -> assertThat(p).startsWith("AGENT_PREVIOUS_HMAC_SECRET must be printable ASCII without spaces"))
                            .anySatisfy(p -> assertThat(p).startsWith("HMAC_MAX_AGE_SECONDS must be between 10 and 3600"))
                            .anySatisfy(p -> assertThat(p).startsWith("HMAC_NONCE_CACHE_SIZE must be a whole number"))
                            .anySatisfy(p -> assertThat(p).startsWith("AGENT_PORT must be between"));
                    assertThat(String.join("\n", e.problems())).doesNotContain("too-short").doesNotContain("has a space");
                });
        assertThatThrownBy(() -> ConfigLoader.load(env(Map.of("AUTH_MODE", "signature"))))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .contains("AUTH_MODE must be 'bearer' or 'hmac', got 'signature'"));
    }

    @Test
    void theConfigNeverRendersAnHmacSecret() {
        AgentConfig config = ConfigLoader.load(env(Map.of("AUTH_MODE", "hmac", "AGENT_HMAC_SECRET", SECRET,
                "AGENT_PREVIOUS_HMAC_SECRET", PREVIOUS)));
        assertThat(config.toString()).contains("mode=hmac").doesNotContain(SECRET).doesNotContain(PREVIOUS);
        assertThat(config.auth().toString()).doesNotContain(SECRET).doesNotContain(PREVIOUS);
    }
}
