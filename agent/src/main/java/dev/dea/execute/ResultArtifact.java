package dev.dea.execute;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.dea.artifact.ArtifactMeta;
import dev.dea.sandbox.Artifact;

import java.util.Base64;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * An artifact in a Python step's result: a figure ({@code source} "figure") or a file the code
 * wrote to OUT_DIR ({@code source} "file"), stored by the agent and downloadable at {@code url}
 * ({@code GET /artifacts/{key}}) for the cache's TTL. {@code width} and {@code height} are set
 * for PNG images. {@code data_base64} is set only for images up to {@link #MAX_INLINE_BYTES}:
 * existing clients keep drawing figures from it, while large files and non-images never
 * swell the JSON response.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record ResultArtifact(String key, String name, String mediaType, long sizeBytes, String url, String source,
                             Optional<Integer> width, Optional<Integer> height, Optional<String> dataBase64) {
    public static final int MAX_INLINE_BYTES = 256 * 1024;

    public ResultArtifact {
        requireNonNull(key, "key");
        requireNonNull(name, "name");
        requireNonNull(mediaType, "mediaType");
        requireNonNull(url, "url");
        requireNonNull(source, "source");
        requireNonNull(width, "width");
        requireNonNull(height, "height");
        requireNonNull(dataBase64, "dataBase64");
    }

    static ResultArtifact of(Artifact a, ArtifactMeta stored) {
        boolean png = "image/png".equals(a.mediaType());
        boolean inline = a.isImage() && a.data().length <= MAX_INLINE_BYTES;
        return new ResultArtifact(stored.key(), stored.name(), stored.mediaType(), stored.sizeBytes(), stored.url(),
                a.source(), png ? Optional.of(a.width()) : Optional.empty(), png ? Optional.of(a.height()) : Optional.empty(),
                inline ? Optional.of(Base64.getEncoder().encodeToString(a.data())) : Optional.empty());
    }

    public boolean isImage() {
        return mediaType.startsWith("image/");
    }
}
