package dev.dea.http;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import io.javalin.http.Context;

import java.util.Set;

/**
 * Runs before every route: public paths pass, a blocked address is refused (429), and
 * otherwise the request's credentials are checked (AUTH_MODE picks how). Only a refused
 * credential (401) counts as a failure for the throttle: a 413 or a full nonce cache says
 * nothing about who is calling.
 */
final class Authenticator {
    /** How one AUTH_MODE checks a request's credentials; throws to refuse it. */
    interface Credentials {
        void verify(Context ctx);

        /** The {@code WWW-Authenticate} challenge a 401 carries (RFC 9110): how to authenticate. */
        String challenge();
    }

    private final Credentials credentials;
    private final Set<String> publicPaths;
    private final AuthThrottle throttle;

    Authenticator(Credentials credentials, Set<String> publicPaths, AuthThrottle throttle) {
        this.credentials = credentials;
        this.publicPaths = Set.copyOf(publicPaths);
        this.throttle = throttle;
    }

    void check(Context ctx) {
        if (publicPaths.contains(ctx.path())) {
            return;
        }
        String address = ctx.ip();
        throttle.checkAllowed(address);
        try {
            credentials.verify(ctx);
        } catch (AgentException e) {
            if (e.type() == ErrorType.UNAUTHORIZED) {
                throttle.recordFailure(address);
                ctx.header("WWW-Authenticate", credentials.challenge());
            }
            throw e;
        }
        throttle.recordSuccess(address);
    }
}
