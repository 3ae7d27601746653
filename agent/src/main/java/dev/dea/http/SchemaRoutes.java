package dev.dea.http;

import dev.dea.Services;
import io.javalin.http.Context;

/** {@code /schema}, {@code /schema/refresh} and {@code /schema/{table}/profile}. */
final class SchemaRoutes {
    private final Services services;

    SchemaRoutes(Services services) {
        this.services = services;
    }

    void schema(Context ctx) {
        ctx.json(services.schema().schema());
    }

    void refresh(Context ctx) {
        ctx.json(services.schema().refresh());
    }

    void profile(Context ctx) {
        ctx.json(services.profiles().profile(ctx.pathParam("table")));
    }
}
