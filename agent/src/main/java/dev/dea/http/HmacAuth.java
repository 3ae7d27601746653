package dev.dea.http;

import dev.dea.auth.RequestVerifier;
import dev.dea.auth.SignatureHeaders;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import io.javalin.http.Context;

/**
 * HMAC request signing (AUTH_MODE=hmac): the checks live in {@link RequestVerifier}; this
 * adapts a Javalin request to it; {@link Authenticator} applies the same throttle as for bearer tokens.
 * The body is read here, within MAX_REQUEST_BYTES, and left for {@link JsonBodies}.
 */
final class HmacAuth implements Authenticator.Credentials {
    private final RequestVerifier verifier;
    private final JsonBodies bodies;

    HmacAuth(RequestVerifier verifier, JsonBodies bodies) {
        this.verifier = verifier;
        this.bodies = bodies;
    }

    @Override
    public String challenge() {
        return "DEA-HMAC-SHA256 realm=\"data-execution-agent\", headers=\"X-DEA-Timestamp X-DEA-Nonce X-DEA-Signature\"";
    }

    @Override
    public void verify(Context ctx) {
        if (ctx.header(SignatureHeaders.SIGNATURE) == null && ctx.header("Authorization") != null) {
            throw new AgentException(ErrorType.UNAUTHORIZED, "missing " + SignatureHeaders.SIGNATURE
                    + "; this agent accepts signed requests only (AUTH_MODE=hmac), not bearer tokens: see docs/request-signing.md");
        }
        verifier.verify(ctx.method().name(), ctx.path(), ctx.queryString(), ctx::header, () -> bodies.bytes(ctx));
    }
}
