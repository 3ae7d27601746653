package dev.dea.platform;

import dev.dea.lifecycle.Services;
import dev.dea.config.AgentConfig;
import dev.dea.identity.AgentIdentity;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Everything {@link PlatformClient} needs to register the agent with the platform and keep it
 * registered. Build it with {@link #of}. {@code toString()} never renders the token.
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

    private static final Pattern AGENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._~-]{0,127}");

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

    /**
     * Builds the spec from the agent's configuration: {@code CORE_LOGIC_URL} (required here),
     * {@code AGENT_ID} (default: the id {@link AgentIdentity} derives, the one {@code GET /health} reports), {@code AGENT_PUBLIC_URL}, the agent
     * token and {@link Services#VERSION}.
     */
    public static RegistrationSpec of(AgentConfig config, String registrationPath, Duration heartbeatInterval,
                                      String dbDialect, Map<String, Object> capabilities) {
        requireNonNull(config, "config");
        URI core = config.coreLogicUrl().orElseThrow(() -> new IllegalStateException("CORE_LOGIC_URL is not set"));
        return of(core, registrationPath, AgentIdentity.of(config).id(),
                config.publicUrl(), Services.VERSION, dbDialect, capabilities, config.token(), heartbeatInterval);
    }

    /**
     * Builds the spec; see the class comment for the URLs.
     *
     * @throws IllegalArgumentException on a non-http(s) URL, a registration path not starting with
     *                                  '/' or containing '?'/'#', or an agent id outside
     *                                  {@code [A-Za-z0-9][A-Za-z0-9._~-]{0,127}}
     */
    public static RegistrationSpec of(URI coreLogicUrl, String registrationPath, String agentId,
                                      Optional<URI> publicUrl, String version, String dbDialect,
                                      Map<String, Object> capabilities, String token, Duration heartbeatInterval) {
        requireNonNull(coreLogicUrl, "coreLogicUrl");
        requireNonNull(registrationPath, "registrationPath");
        requireNonNull(agentId, "agentId");
        String scheme = coreLogicUrl.getScheme() == null ? "" : coreLogicUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || coreLogicUrl.getRawAuthority() == null) {
            throw new IllegalArgumentException("CORE_LOGIC_URL must be an absolute http(s) URL, got " + coreLogicUrl);
        }
        if (!registrationPath.startsWith("/") || registrationPath.contains("?") || registrationPath.contains("#")) {
            throw new IllegalArgumentException("REGISTRATION_PATH must start with '/' and hold no query, got '"
                    + registrationPath + "'");
        }
        if (!AGENT_ID.matcher(agentId).matches()) {
            throw new IllegalArgumentException("AGENT_ID must match " + AGENT_ID.pattern() + ", got '" + agentId + "'");
        }
        String root = scheme + "://" + coreLogicUrl.getRawAuthority() + stripTrailingSlashes(
                coreLogicUrl.getRawPath() == null ? "" : coreLogicUrl.getRawPath());
        String path = stripTrailingSlashes(registrationPath);
        if (path.isEmpty()) {
            throw new IllegalArgumentException("REGISTRATION_PATH must name a resource, got '" + registrationPath + "'");
        }
        String agents = path.substring(0, path.lastIndexOf('/'));
        return new RegistrationSpec(
                URI.create(root + path),
                URI.create(root + agents + "/" + agentId + "/heartbeat"),
                URI.create(root + agents + "/" + agentId + "/deregister"),
                agentId, publicUrl, version, dbDialect, capabilities, token, heartbeatInterval);
    }

    private static String stripTrailingSlashes(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '/') {
            end--;
        }
        return s.substring(0, end);
    }
}
