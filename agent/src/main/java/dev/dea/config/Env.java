package dev.dea.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Typed reads of environment variables for {@link ConfigLoader}. A bad value never throws:
 * it is recorded in {@link #problems()} with the variable's name and what would be valid,
 * and the default stands in, so that every problem of a configuration is reported at once.
 */
final class Env {
    private static final Pattern SIZE = Pattern.compile("(?i)\\s*(\\d+)\\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?\\s*");

    private final Map<String, String> values;
    private final List<String> problems = new ArrayList<>();

    Env(Map<String, String> values) {
        this.values = values;
    }

    /** Problems found so far; {@link ConfigLoader} adds its own cross-variable ones. */
    List<String> problems() {
        return problems;
    }

    /** Every variable name set. */
    Set<String> names() {
        return values.keySet();
    }

    /** The value as set, untrimmed and unchecked (a password may hold spaces); null when unset. */
    String raw(String key) {
        return values.get(key);
    }

    Optional<Path> readableFile(String key, String value) {
        Path file = Path.of(value).toAbsolutePath().normalize();
        if (!Files.exists(file)) {
            problems.add(key + " " + file + " does not exist");
        } else if (!Files.isRegularFile(file)) {
            problems.add(key + " " + file + " is not a regular file");
        } else if (!Files.isReadable(file)) {
            problems.add(key + " " + file + " is not readable by the agent's user");
        } else {
            return Optional.of(file);
        }
        return Optional.empty();
    }

    String required(String key, String what) {
        String v = values.get(key);
        if (blank(v)) {
            problems.add(key + " is required when a database is configured: " + what);
            return "";
        }
        return v.strip();
    }

    Optional<String> optional(String key) {
        String v = values.get(key);
        return blank(v) ? Optional.empty() : Optional.of(v.strip());
    }

    String string(String key, String def) {
        return optional(key).orElse(def);
    }

    int integer(String key, int def, int min, int max) {
        return (int) longValue(key, def, min, max);
    }

    long longValue(String key, long def, long min, long max) {
        Optional<String> v = optional(key);
        if (v.isEmpty()) {
            return def;
        }
        try {
            long parsed = Long.parseLong(v.get());
            if (parsed < min || parsed > max) {
                problems.add(key + " must be between " + min + " and " + max + ", got " + parsed);
                return def;
            }
            return parsed;
        } catch (NumberFormatException e) {
            problems.add(key + " must be a whole number, got '" + v.get() + "'");
            return def;
        }
    }

    boolean bool(String key, boolean def) {
        Optional<String> v = optional(key);
        if (v.isEmpty()) {
            return def;
        }
        return switch (v.get().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> {
                problems.add(key + " must be true or false, got '" + v.get() + "'");
                yield def;
            }
        };
    }

    double decimal(String key, double def, double min, double max) {
        Optional<String> v = optional(key);
        if (v.isEmpty()) {
            return def;
        }
        try {
            double parsed = Double.parseDouble(v.get());
            if (!(parsed >= min && parsed <= max)) {
                problems.add(key + " must be between " + min + " and " + max + ", got " + v.get());
                return def;
            }
            return parsed;
        } catch (NumberFormatException e) {
            problems.add(key + " must be a number such as 0.5, got '" + v.get() + "'");
            return def;
        }
    }

    long size(String key, long def) {
        Optional<String> v = optional(key);
        if (v.isEmpty()) {
            return def;
        }
        var m = SIZE.matcher(v.get());
        if (!m.matches()) {
            problems.add(key + " must be a size such as 1048576, 512MB or 10GB, got '" + v.get() + "'");
            return def;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        int shift = switch (unit.charAt(0)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        if (n <= 0 || n > (Long.MAX_VALUE >> shift)) {
            problems.add(key + " must be a positive size, got '" + v.get() + "'");
            return def;
        }
        return n << shift;
    }

    Set<String> list(String key) {
        Set<String> out = new LinkedHashSet<>();
        optional(key).ifPresent(v -> {
            for (String item : v.split(",")) {
                if (!item.isBlank()) {
                    out.add(item.strip().toLowerCase(Locale.ROOT));
                }
            }
        });
        return out;
    }

    Optional<URI> url(String key) {
        Optional<String> v = optional(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(v.get());
            if (uri.getRawUserInfo() != null) {
                // Never echoed: the user info may be a password. The URL would be logged with it, and the
                // platform client does not send it anyway.
                problems.add(key + " must not carry user:password@ (it would be logged); the agent's "
                        + "credential is AGENT_SECRET_TOKEN");
                return Optional.empty();
            }
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
                problems.add(key + " must be an http:// or https:// URL, got '" + v.get() + "'");
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (java.net.URISyntaxException e) {
            // The parser's message quotes the input, which may hold a password.
            problems.add(key + " is not a valid URL (" + e.getReason() + " at index " + e.getIndex() + ")");
            return Optional.empty();
        }
    }

    static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
