package dev.dea.sandbox;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One pandas execution: the code, its inputs ({@code input_data} name -> frame cache key,
 * in the order given: it is the order of the provenance's parent keys) and the request id.
 */
public record SandboxJob(String code, Map<String, String> inputKeys, Optional<String> requestId) {
    public SandboxJob {
        requireNonNull(code, "code");
        requireNonNull(requestId, "requestId");
        // Not Map.copyOf: it would lose the caller's order.
        inputKeys = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(inputKeys, "inputKeys")));
        inputKeys.forEach((name, key) -> {
            requireNonNull(name, "input name");
            requireNonNull(key, "input key");
        });
    }
}
