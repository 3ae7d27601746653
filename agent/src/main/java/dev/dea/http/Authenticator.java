package dev.dea.http;

import io.javalin.http.Context;

/** Runs before every route; throws to refuse the request (AUTH_MODE picks the implementation). */
interface Authenticator {
    void check(Context ctx);
}
