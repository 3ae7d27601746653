package dev.dea.db;

import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Result of a liveness probe: reachable with a server version, or unreachable with a reason.
 * {@code privilegedLogin}: the privileges of a login accepted with DB_ALLOW_PRIVILEGED_LOGIN=true.
 */
public record DbHealth(boolean reachable, Optional<String> serverVersion, Optional<String> reason,
                       List<String> privilegedLogin) {
    public DbHealth {
        requireNonNull(serverVersion, "serverVersion");
        requireNonNull(reason, "reason");
        privilegedLogin = List.copyOf(privilegedLogin);
    }

    public static DbHealth up(String version) {
        return up(version, List.of());
    }

    public static DbHealth up(String version, List<String> privilegedLogin) {
        return new DbHealth(true, Optional.of(version), Optional.empty(), privilegedLogin);
    }

    public static DbHealth down(String reason) {
        return new DbHealth(false, Optional.empty(), Optional.of(reason), List.of());
    }
}
