package dev.dea.openapi;

import static java.util.Objects.requireNonNull;

/** A body of one media type. */
public record ApiContent(String mediaType, SchemaRef schema) {
    public ApiContent {
        requireNonNull(mediaType, "mediaType");
        requireNonNull(schema, "schema");
    }

    public static ApiContent json(SchemaRef schema) {
        return new ApiContent("application/json", schema);
    }
}
