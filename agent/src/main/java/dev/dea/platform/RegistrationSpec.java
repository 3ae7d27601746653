package dev.dea.platform;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Everything {@link PlatformClient} needs to register the agent with the platform and keep it
 * registered. Build it with {@link PlatformClient#spec}. {@code toString()} never renders the token.
 *
 * @param registerUrl       POST target of the registration
 * @param heartbeatUrl      POST target of the heartbeats
 * @param deregisterUrl     POST target of the deregistration sent on shutdown
 * @param agentId           the agent's stable identity, also sent as {@code X-Agent-Id}
 * @param publicUrl         where the platform reaches the agent, if configured
 * @param version           agent version, sent in the body and the {@code User-Agent}
 * @param dbDialect         e.g. {@code postgresql}
 * @param capabilities      free-form map (endpoints, limits, sandbox runtime), sent as-is
 * @param token             the agent's bearer token, proving its identity to the platform
 * @param heartbeatInterval time between heartbeats once registered
 */
public record RegistrationSpec(
        URI registerUrl,
        URI heartbeatUrl,
        URI deregisterUrl,
        String agentId,
        Optional<URI> publicUrl,
        String version,
        String dbDialect,
        Map<String, Object> capabilities,
        String token,
        Duration heartbeatInterval) {

    public RegistrationSpec {
        requireNonNull(registerUrl, "registerUrl");
        requireNonNull(heartbeatUrl, "heartbeatUrl");
        requireNonNull(deregisterUrl, "deregisterUrl");
        requireNonNull(agentId, "agentId");
        requireNonNull(publicUrl, "publicUrl");
        requireNonNull(version, "version");
        requireNonNull(dbDialect, "dbDialect");
        requireNonNull(capabilities, "capabilities");
        requireNonNull(token, "token");
        requireNonNull(heartbeatInterval, "heartbeatInterval");
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("heartbeatInterval must be positive, got " + heartbeatInterval);
        }
        // Unmodifiable but null-tolerant copy (Map.copyOf rejects null values, which callers may use).
        capabilities = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(capabilities));
    }

    @Override
    public String toString() {
        return "RegistrationSpec[registerUrl=" + registerUrl + ", heartbeatUrl=" + heartbeatUrl
                + ", deregisterUrl=" + deregisterUrl + ", agentId=" + agentId
                + ", publicUrl=" + publicUrl.map(URI::toString).orElse("<none>") + ", version=" + version
                + ", dbDialect=" + dbDialect + ", capabilities=" + capabilities.keySet()
                + ", heartbeatInterval=" + heartbeatInterval + ", token=<redacted>]";
    }
}
