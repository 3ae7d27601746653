package dev.dea.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.UUID;

/**
 * Jetty's own error responses in the API's error shape. Requests that break HTTP itself (a NUL
 * or bad escape in the path, headers or URI over Jetty's limits, a malformed request line) are
 * answered by the server before they reach a route, with Jetty's HTML page by default; callers
 * of a JSON API should see {@code {"detail": {"type", "message"}}} there too. The status stays
 * the protocol's (400, 414, 431, ...); the type is {@link ErrorRenderer#typeOf}'s, as for
 * Javalin's own errors. Jetty's messages name the protocol rule only, never a stack trace.
 */
final class ProtocolErrors extends ErrorHandler {
    private final ObjectMapper mapper;

    ProtocolErrors(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) throws JsonProcessingException {
        byte[] body = mapper.writeValueAsBytes(ErrorRenderer.body(ErrorRenderer.typeOf(code),
                message == null || message.isBlank() ? HttpStatus.getMessage(code) : message, Map.of()));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        // No route ran, so no request id was assigned; the caller still gets one to quote.
        response.getHeaders().put(RequestIds.HEADER, UUID.randomUUID().toString());
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
