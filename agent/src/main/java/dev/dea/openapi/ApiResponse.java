package dev.dea.openapi;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** A successful (or otherwise non-error) response; error responses come from {@link ApiOperation#errors()}. */
public record ApiResponse(int status, String description, List<ApiContent> content) {
    public ApiResponse {
        requireNonNull(description, "description");
        content = List.copyOf(content);
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
    }
}
