package dev.dea.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.error.AgentException;
import dev.dea.execute.StepLimits;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * The arguments of one tool call, read with the same limits and messages as the HTTP API's
 * bodies. Every mistake is a {@code VALIDATION_ERROR} naming the argument, so a model can
 * correct its call. Clients differ in how they send values (the MCP Inspector's CLI sends
 * {@code key=value} pairs as strings), so an integer may come as a numeric string and an
 * object as its JSON text.
 */
final class ToolArguments {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String tool;
    private final Map<String, Object> values;

    ToolArguments(String tool, Map<String, Object> values, Set<String> allowed) {
        this.tool = requireNonNull(tool, "tool");
        this.values = values == null ? Map.of() : values;
        Set<String> unknown = new TreeSet<>(this.values.keySet());
        unknown.removeAll(allowed);
        if (!unknown.isEmpty()) {
            throw AgentException.unknownNames("argument", "tool '" + tool + "'", unknown, allowed);
        }
    }

    String requiredString(String name, int maxLength) {
        if (values.get(name) instanceof String s && s.isBlank()) {
            throw AgentException.validation("Argument '" + name + "' must not be blank");
        }
        return optionalString(name, maxLength)
                .orElseThrow(() -> AgentException.validation("Argument '" + name + "' of tool '" + tool + "' is required"));
    }

    /** Absent when missing or blank: form-based clients send an untouched optional field as "". */
    Optional<String> optionalString(String name, int maxLength) {
        Object v = values.get(name);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            throw AgentException.validation("Argument '" + name + "' must be a string, got " + describe(v));
        }
        if (s.isBlank()) {
            return Optional.empty();
        }
        if (s.length() > maxLength) {
            throw AgentException.validation("Argument '" + name + "' is " + s.length() + " characters; the limit is " + maxLength);
        }
        return Optional.of(s);
    }

    /** Absent when missing; "true"/"false" strings are accepted from form-based clients. */
    Optional<Boolean> optionalBoolean(String name) {
        return switch (values.get(name)) {
            case null -> Optional.empty();
            case Boolean b -> Optional.of(b);
            case String s when s.isBlank() -> Optional.empty();
            case String s when s.strip().equalsIgnoreCase("true") -> Optional.of(true);
            case String s when s.strip().equalsIgnoreCase("false") -> Optional.of(false);
            case Object v -> throw AgentException.validation("Argument '" + name + "' must be a boolean, got " + describe(v));
        };
    }

    int optionalInt(String name, int min, int max, int defaultValue) {
        Object v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        long n;
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            n = ((Number) v).longValue();
        } else if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())
                && Math.abs(num.doubleValue()) < Long.MAX_VALUE) {
            n = (long) num.doubleValue();
        } else if (v instanceof String s && s.strip().matches("-?\\d{1,18}")) {
            n = Long.parseLong(s.strip());
        } else {
            throw AgentException.validation("Argument '" + name + "' must be an integer, got " + describe(v));
        }
        if (n < min || n > max) {
            throw AgentException.validation("Argument '" + name + "' must be between " + min + " and " + max + ", got " + n);
        }
        return (int) n;
    }

    /** An optional object of input name -> {@code {columns, rows}}, sent inline: the HTTP API's {@code input_data}. */
    Map<String, JsonNode> optionalInlineData(String name) {
        Object v = values.get(name);
        if (v == null) {
            return Map.of();
        }
        if (v instanceof String text) {
            v = parseObject(name, text);
        }
        if (!(v instanceof Map<?, ?> map)) {
            throw AgentException.validation("Argument '" + name + "' must be an object of name -> {columns, rows}, got "
                    + describe(v));
        }
        StepLimits.inputCount(map.size());
        Map<String, JsonNode> result = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            result.put(StepLimits.inputName(String.valueOf(e.getKey())), JSON.valueToTree(e.getValue()));
        }
        return result;
    }

    /** Like {@link #requiredNameToKey}, but absent is an empty map (the inputs may all be inline). */
    Map<String, String> optionalNameToKey(String name) {
        return values.get(name) == null ? Map.of() : requiredNameToKey(name);
    }

    /** An object of input name -> frame cache key, in the caller's order (it becomes the provenance's order). */
    Map<String, String> requiredNameToKey(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw AgentException.validation("Argument '" + name + "' of tool '" + tool + "' is required");
        }
        if (v instanceof String text) {
            v = parseObject(name, text);
        }
        if (!(v instanceof Map<?, ?> map)) {
            throw AgentException.validation("Argument '" + name + "' must be an object of name -> cache key, got " + describe(v));
        }
        if (map.isEmpty()) {
            throw AgentException.validation("Argument '" + name + "' must name at least one frame; use run_python for code without inputs");
        }
        StepLimits.inputCount(map.size());
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String inputName = StepLimits.inputName(String.valueOf(e.getKey()));
            if (!(e.getValue() instanceof String key) || key.isBlank()) {
                throw AgentException.validation(name + "['" + inputName + "'] must be a cache key string, got "
                        + describe(e.getValue()));
            }
            result.put(inputName, key.strip());
        }
        return result;
    }

    private static Object parseObject(String name, String text) {
        try {
            return JSON.readValue(text, Map.class);
        } catch (JsonProcessingException e) {
            throw AgentException.validation("Argument '" + name + "' must be an object of name -> cache key (a JSON object "
                    + "such as {\"prev\": \"<cache_key>\"}), got a string that is not one");
        }
    }

    static String describe(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> "a string";
            case Boolean b -> "a boolean";
            case Number n -> "a number";
            case Map<?, ?> m -> "an object";
            case Iterable<?> i -> "an array";
            default -> "a " + v.getClass().getSimpleName();
        };
    }
}
