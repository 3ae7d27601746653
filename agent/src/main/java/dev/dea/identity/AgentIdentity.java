package dev.dea.identity;

import dev.dea.config.AgentConfig;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * Which agent this is, as {@code GET /health} says it, so that two agents on one machine
 * (and the doctor looking at a busy port) can tell each other apart.
 *
 * @param id      {@code AGENT_ID} when set; otherwise {@code dea-<host>-<8 hex>}, the hex from a
 *                digest of the host name and the cache directory, as the sandbox owner label is
 *                derived: stable across restarts, different for two agents with their own caches
 * @param version the jar manifest's {@code Implementation-Version} (the Maven project version),
 *                {@code dev} when run from classes
 */
public record AgentIdentity(String id, String version) {
    public static final String VERSION = AgentIdentity.class.getPackage().getImplementationVersion() != null
            ? AgentIdentity.class.getPackage().getImplementationVersion() : "dev";
    private static final int MAX_ID = 128;

    public AgentIdentity {
        requireNonNull(id, "id");
        requireNonNull(version, "version");
    }

    public static AgentIdentity of(AgentConfig config) {
        return new AgentIdentity(config.agentId().orElseGet(() -> derivedId(Host.NAME, config.cache().dir())), VERSION);
    }

    static String derivedId(String host, Path cacheDir) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256")
                    .digest((host + "\n" + cacheDir.toAbsolutePath().normalize()).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JDK", e);
        }
        String suffix = "-" + HexFormat.of().formatHex(digest, 0, 4);
        String name = ("dea-" + host.toLowerCase(Locale.ROOT)).replaceAll("[^a-z0-9._~-]", "-");
        return name.substring(0, Math.min(name.length(), MAX_ID - suffix.length())) + suffix;
    }

    /** Looked up once: a slow resolver must not slow every {@code /health}. */
    private static final class Host {
        static final String NAME = lookUp();

        private static String lookUp() {
            String env = System.getenv("HOSTNAME");
            if (env != null && !env.isBlank()) {
                return env.strip();
            }
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "unknown-host";
            }
        }
    }
}
