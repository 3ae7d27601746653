package dev.dea.http;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorDetail;
import dev.dea.error.ErrorType;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EofException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The one place where failures become HTTP responses, in the seed's shape
 * {@code {"detail": {"type": ..., "message": ..., ...}}}. Unexpected exceptions are
 * logged with the request id and rendered as INTERNAL without a stack trace.
 */
final class ErrorRenderer {
    private static final Logger log = LoggerFactory.getLogger(ErrorRenderer.class);

    private ErrorRenderer() {
    }

    static void render(Context ctx, AgentException e) {
        if (abortedMidBody(ctx, e)) {
            return;
        }
        if (e.type() == ErrorType.INTERNAL) {
            // The detail (paths, causes) is for the operator's log, not for the caller.
            log.error("Internal error on {} {} (request {}): {}", ctx.method(), ctx.path(), RequestIds.of(ctx), e.getMessage(), e);
            write(ctx, ErrorType.INTERNAL, internalMessage(ctx), Map.of());
            return;
        } else if (e.type().httpStatus() >= 500) {
            log.warn("{} on {} {} (request {}): {}", e.type(), ctx.method(), ctx.path(), RequestIds.of(ctx), e.getMessage());
        }
        write(ctx, e.type(), e.getMessage(), e.details());
    }

    static void renderJavalin(Context ctx, HttpResponseException e) {
        ErrorType type = typeOf(e.getStatus());
        write(ctx, type, e.getMessage() == null || e.getMessage().isBlank() ? type.name() : e.getMessage(), Map.of());
    }

    /** The error type of a status that Javalin or Jetty chose, not the agent. */
    static ErrorType typeOf(int status) {
        return switch (status) {
            case 401 -> ErrorType.UNAUTHORIZED;
            case 404 -> ErrorType.NOT_FOUND;
            case 405 -> ErrorType.METHOD_NOT_ALLOWED;
            case 408 -> ErrorType.REQUEST_TIMEOUT;
            case 413 -> ErrorType.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorType.UNSUPPORTED_MEDIA_TYPE;
            default -> status >= 500 ? ErrorType.INTERNAL : ErrorType.VALIDATION_ERROR;
        };
    }

    static void renderUnexpected(Context ctx, Exception e) {
        if (abortedMidBody(ctx, e)) {
            return;
        }
        log.error("Unexpected error on {} {} (request {})", ctx.method(), ctx.path(), RequestIds.of(ctx), e);
        write(ctx, ErrorType.INTERNAL, internalMessage(ctx), Map.of());
    }

    /**
     * A failure after part of the response was sent (a streamed body, see {@link BodyStream})
     * cannot become an error response any more: the connection is aborted, so that the client
     * sees the body as incomplete instead of a shorter file that looks whole. When the failure
     * is the client having closed the connection (a download it abandoned), nothing went wrong
     * here: a debug line, not an error.
     */
    private static boolean abortedMidBody(Context ctx, Exception e) {
        if (!ctx.res().isCommitted()) {
            return false;
        }
        if (clientGone(e)) {
            log.debug("Client went away during {} {} (request {}): {}", ctx.method(), ctx.path(), RequestIds.of(ctx),
                    e.toString());
        } else {
            log.error("{} {} failed after part of the response was sent (request {}); connection aborted",
                    ctx.method(), ctx.path(), RequestIds.of(ctx), e);
        }
        ServletContextRequest.getServletContextRequest(ctx.req()).getServletChannel().abort(e);
        return true;
    }

    private static boolean clientGone(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof EofException) {
                return true;
            }
        }
        return false;
    }

    private static String internalMessage(Context ctx) {
        return ErrorDetail.internalMessage(RequestIds.of(ctx));
    }

    private static final String RENDERED = "dea.errorRendered";

    static boolean rendered(Context ctx) {
        return Boolean.TRUE.equals(ctx.attribute(RENDERED));
    }

    static void write(Context ctx, ErrorType type, String message, Map<String, Object> details) {
        ctx.attribute(RENDERED, Boolean.TRUE);
        if (details.get("retry_after_seconds") instanceof Number seconds) {
            ctx.header("Retry-After", String.valueOf(seconds.longValue()));
        }
        ctx.status(type.httpStatus()).json(body(type, message, details));
    }

    /** The seed's error shape: {@code {"detail": {"type", "message", ...details}}}. */
    static Map<String, Object> body(ErrorType type, String message, Map<String, Object> details) {
        return Map.of("detail", ErrorDetail.of(type, message, details));
    }
}
