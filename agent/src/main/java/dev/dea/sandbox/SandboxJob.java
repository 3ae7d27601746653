package dev.dea.sandbox;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One pandas execution: the code, its inputs ({@code input_data} name -> frame cache key,
 * in the order given: it is the order of the provenance's parent keys), the request id and who
 * follows its output live ({@link LiveOutput#NONE}: nobody, the runner does not stream),
 * whether decimal columns reach pandas as exact {@code Decimal} objects rather than float64, and
 * who answers the code's {@code sql()} calls for this step (the step's caller, which audits each
 * one; {@link SqlCallback#NONE}: the step has no database).
 */
public record SandboxJob(String code, Map<String, String> inputKeys, Optional<String> requestId, LiveOutput output,
                         boolean exactDecimals, SqlCallback sql) {
    /** A step without live output, decimals as float64, and no database. */
    public SandboxJob(String code, Map<String, String> inputKeys, Optional<String> requestId) {
        this(code, inputKeys, requestId, LiveOutput.NONE, false, SqlCallback.NONE);
    }

    public SandboxJob {
        requireNonNull(code, "code");
        requireNonNull(requestId, "requestId");
        requireNonNull(output, "output");
        requireNonNull(sql, "sql");
        // Not Map.copyOf: it would lose the caller's order.
        inputKeys = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(inputKeys, "inputKeys")));
        inputKeys.forEach((name, key) -> {
            requireNonNull(name, "input name");
            requireNonNull(key, "input key");
        });
    }
}
