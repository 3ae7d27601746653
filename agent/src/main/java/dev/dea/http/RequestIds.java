package dev.dea.http;

import io.javalin.http.Context;

import java.util.UUID;
import java.util.regex.Pattern;

/** Correlates a request across the caller, the response and the logs via {@code X-Request-Id}. */
final class RequestIds {
    static final String HEADER = "X-Request-Id";
    private static final String ATTRIBUTE = "dea.requestId";
    // An incoming id is kept only when it is safe to echo and to log.
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private RequestIds() {
    }

    static void assign(Context ctx) {
        String incoming = ctx.header(HEADER);
        String id = incoming != null && SAFE.matcher(incoming).matches() ? incoming : UUID.randomUUID().toString();
        ctx.attribute(ATTRIBUTE, id);
        ctx.header(HEADER, id);
    }

    static String of(Context ctx) {
        String id = ctx.attribute(ATTRIBUTE);
        return id == null ? "-" : id;
    }
}
