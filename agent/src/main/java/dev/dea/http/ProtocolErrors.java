package dev.dea.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.error.ErrorType;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Jetty's own error responses in the API's error shape. Requests that break HTTP itself (a NUL
 * or bad escape in the path, headers or URI over Jetty's limits, a malformed request line) are
 * answered by the server before they reach a route, with Jetty's HTML page by default; callers
 * of a JSON API should see {@code {"detail": {"type", "message"}}} there too. The status stays
 * the protocol's (400, 414, 431, ...); the type is {@link ErrorType#VALIDATION_ERROR} for the
 * caller's mistakes, {@link ErrorType#PAYLOAD_TOO_LARGE} for 413 and {@link ErrorType#INTERNAL}
 * for 5xx. Jetty's messages name the protocol rule only, never a stack trace.
 */
final class ProtocolErrors extends ErrorHandler {
    private final ObjectMapper mapper;

    ProtocolErrors(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) throws JsonProcessingException {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("type", type(code).name());
        detail.put("message", message == null || message.isBlank() ? HttpStatus.getMessage(code) : message);
        byte[] body = mapper.writeValueAsBytes(Map.of("detail", detail));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        // No route ran, so no request id was assigned; the caller still gets one to quote.
        response.getHeaders().put(RequestIds.HEADER, UUID.randomUUID().toString());
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    static ErrorType type(int status) {
        if (status == HttpStatus.PAYLOAD_TOO_LARGE_413) {
            return ErrorType.PAYLOAD_TOO_LARGE;
        }
        if (status == HttpStatus.NOT_FOUND_404) {
            return ErrorType.NOT_FOUND;
        }
        if (status == HttpStatus.METHOD_NOT_ALLOWED_405) {
            return ErrorType.METHOD_NOT_ALLOWED;
        }
        return status >= 500 ? ErrorType.INTERNAL : ErrorType.VALIDATION_ERROR;
    }
}
