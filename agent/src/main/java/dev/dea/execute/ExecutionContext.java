package dev.dea.execute;

import static java.util.Objects.requireNonNull;

/** Who asked for an execution, for provenance and the audit trail. */
public record ExecutionContext(String requestId, String callerAddress) {
    public ExecutionContext {
        requireNonNull(requestId, "requestId");
        requireNonNull(callerAddress, "callerAddress");
    }
}
