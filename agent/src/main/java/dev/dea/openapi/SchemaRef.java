package dev.dea.openapi;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Where an operation's schema comes from. {@link Derived} is generated from the class the route
 * renders, so the document follows the code; {@link Written} is JSON Schema text kept next to
 * the route for bodies that are parsed or built by hand (request bodies read as a JsonNode, maps).
 */
public sealed interface SchemaRef {

    /** A component generated from {@code type} (Jackson annotations respected), named {@code name} or after the class. */
    record Derived(Class<?> type, Optional<String> name) implements SchemaRef {
        public Derived {
            requireNonNull(type, "type");
            requireNonNull(name, "name");
        }
    }

    /** A component {@code name} written by hand as JSON Schema (draft 2020-12) text. */
    record Written(String name, String json) implements SchemaRef {
        public Written {
            requireNonNull(name, "name");
            requireNonNull(json, "json");
        }
    }

    /** A small schema written in place, e.g. a parameter's {@code {"type": "integer"}}. */
    record Inline(String json) implements SchemaRef {
        public Inline {
            requireNonNull(json, "json");
        }
    }

    static SchemaRef of(Class<?> type) {
        return new Derived(type, Optional.empty());
    }

    static SchemaRef named(String name, Class<?> type) {
        return new Derived(type, Optional.of(name));
    }

    static SchemaRef written(String name, String json) {
        return new Written(name, json);
    }

    static SchemaRef inline(String json) {
        return new Inline(json);
    }
}
