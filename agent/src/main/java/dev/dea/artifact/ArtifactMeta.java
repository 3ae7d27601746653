package dev.dea.artifact;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.time.Instant;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A stored artifact as its {@code meta.json} records it: the file's safe base name, its
 * checked media type and size, when it was stored, and the request and frame it came with
 * (a step that only printed or drew has no frame).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record ArtifactMeta(String key, String name, String mediaType, long sizeBytes, Instant createdAt,
                           Optional<String> requestId, Optional<String> frameKey) {
    public ArtifactMeta {
        requireNonNull(key, "key");
        requireNonNull(name, "name");
        requireNonNull(mediaType, "mediaType");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(requestId, "requestId");
        requireNonNull(frameKey, "frameKey");
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes must not be negative");
        }
    }

    /** Where a client downloads it (GET /artifacts/{key}). */
    public String url() {
        return "/artifacts/" + key;
    }
}
