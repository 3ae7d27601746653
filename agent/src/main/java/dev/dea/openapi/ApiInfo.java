package dev.dea.openapi;

import java.net.URI;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/** The document's {@code info} and, when the agent knows its public address, its one server. */
public record ApiInfo(String title, String version, String description, Optional<URI> server) {
    public ApiInfo {
        requireNonNull(title, "title");
        requireNonNull(version, "version");
        requireNonNull(description, "description");
        requireNonNull(server, "server");
    }
}
