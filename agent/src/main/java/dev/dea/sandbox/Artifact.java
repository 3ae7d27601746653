package dev.dea.sandbox;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import static java.util.Objects.requireNonNull;

/** A file the code produced, today a matplotlib figure rendered as PNG ({@code media_type}, {@code data_base64} on the wire). */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Artifact(String name, String mediaType, int width, int height, String dataBase64) {
    public Artifact {
        requireNonNull(name, "name");
        requireNonNull(mediaType, "mediaType");
        requireNonNull(dataBase64, "dataBase64");
    }
}
