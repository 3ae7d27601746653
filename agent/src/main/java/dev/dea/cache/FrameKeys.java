package dev.dea.cache;

import dev.dea.error.AgentException;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Frame keys are random UUIDs in canonical lower-case form. A key becomes a directory
 * name, so it is checked against this strict pattern before any path is built from it:
 * nothing else ("..", "/", "%2f", upper case) ever reaches the filesystem.
 */
final class FrameKeys {
    private static final Pattern KEY =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private FrameKeys() {
    }

    static String newKey() {
        return UUID.randomUUID().toString();
    }

    static boolean isValid(String key) {
        // The length test keeps the regex away from arbitrarily long input.
        return key != null && key.length() == 36 && KEY.matcher(key).matches();
    }

    static String requireValid(String key) {
        if (!isValid(key)) {
            // The rejected input is not echoed: it is caller-controlled and may be huge.
            throw AgentException.validation("Invalid frame key: expected a lower-case UUID such as "
                    + "'0b7e2c1a-4f3d-4c2b-9a8e-1d2c3b4a5f60'");
        }
        return key;
    }
}
