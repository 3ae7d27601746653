package dev.dea.openapi;

import static java.util.Objects.requireNonNull;

/** A group of operations in the reference; declared once by the route class that owns the group. */
public record ApiTag(String name, String description) {
    public ApiTag {
        requireNonNull(name, "name");
        requireNonNull(description, "description");
    }
}
