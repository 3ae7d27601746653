package dev.dea.openapi;

import static java.util.Objects.requireNonNull;

/** A path, query or header parameter of an operation. Path parameters are always required. */
public record ApiParameter(String name, Location in, String description, boolean required, SchemaRef schema) {
    public enum Location {
        PATH, QUERY, HEADER;

        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ApiParameter {
        requireNonNull(name, "name");
        requireNonNull(in, "in");
        requireNonNull(description, "description");
        requireNonNull(schema, "schema");
        if (in == Location.PATH && !required) {
            throw new IllegalArgumentException("path parameter '" + name + "' must be required");
        }
    }
}
