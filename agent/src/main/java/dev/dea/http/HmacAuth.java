package dev.dea.http;

import dev.dea.auth.RequestVerifier;
import dev.dea.auth.SignatureHeaders;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import io.javalin.http.Context;

import java.util.Set;

/**
 * HMAC request signing (AUTH_MODE=hmac): the checks live in {@link RequestVerifier}; this
 * adapts a Javalin request to it and feeds the same {@link AuthThrottle} as bearer tokens.
 * The body is read here, within MAX_REQUEST_BYTES, and left for {@link JsonBodies}.
 */
final class HmacAuth implements Authenticator {
    private final RequestVerifier verifier;
    private final JsonBodies bodies;
    private final Set<String> publicPaths;
    private final AuthThrottle throttle;

    HmacAuth(RequestVerifier verifier, JsonBodies bodies, Set<String> publicPaths, AuthThrottle throttle) {
        this.verifier = verifier;
        this.bodies = bodies;
        this.publicPaths = Set.copyOf(publicPaths);
        this.throttle = throttle;
    }

    @Override
    public void check(Context ctx) {
        if (publicPaths.contains(ctx.path())) {
            return;
        }
        String address = ctx.ip();
        throttle.checkAllowed(address);
        try {
            if (ctx.header(SignatureHeaders.SIGNATURE) == null && ctx.header("Authorization") != null) {
                throw new AgentException(ErrorType.UNAUTHORIZED, "missing " + SignatureHeaders.SIGNATURE
                        + "; this agent accepts signed requests only (AUTH_MODE=hmac), not bearer tokens: see docs/request-signing.md");
            }
            verifier.verify(ctx.method().name(), ctx.path(), ctx.queryString(), ctx::header, () -> bodies.bytes(ctx));
        } catch (AgentException e) {
            // A 413 or a full nonce cache says nothing about the caller's credentials.
            if (e.type() == ErrorType.UNAUTHORIZED) {
                throttle.recordFailure(address);
            }
            throw e;
        }
        throttle.recordSuccess(address);
    }
}
