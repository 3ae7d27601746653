package dev.dea.db;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** Result of a liveness probe: reachable with a server version, or unreachable with a reason. */
public record DbHealth(boolean reachable, Optional<String> serverVersion, Optional<String> reason) {
    public DbHealth {
        requireNonNull(serverVersion, "serverVersion");
        requireNonNull(reason, "reason");
    }

    public static DbHealth up(String version) {
        return new DbHealth(true, Optional.of(version), Optional.empty());
    }

    public static DbHealth down(String reason) {
        return new DbHealth(false, Optional.empty(), Optional.of(reason));
    }
}
