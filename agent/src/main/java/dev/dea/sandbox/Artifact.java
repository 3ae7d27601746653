package dev.dea.sandbox;

import static java.util.Objects.requireNonNull;

/**
 * A checked artifact of a step: a matplotlib figure ({@code source} "figure", always PNG) or a
 * file the code wrote to OUT_DIR ({@code source} "file"). {@code width} and {@code height} are
 * read from a PNG's IHDR, 0 for other types. {@code data} is the decoded bytes, not copied:
 * the array must not be changed by anyone.
 */
public record Artifact(String name, String mediaType, String source, int width, int height, byte[] data) {
    public static final String FIGURE = "figure";
    public static final String FILE = "file";

    public Artifact {
        requireNonNull(name, "name");
        requireNonNull(mediaType, "mediaType");
        requireNonNull(source, "source");
        requireNonNull(data, "data");
    }

    public boolean isImage() {
        return mediaType.startsWith("image/");
    }
}
