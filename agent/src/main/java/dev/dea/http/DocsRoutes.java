package dev.dea.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.lifecycle.Services;
import dev.dea.config.AgentConfig;
import dev.dea.openapi.ApiContent;
import dev.dea.openapi.ApiInfo;
import dev.dea.openapi.ApiOperation;
import dev.dea.openapi.ApiTag;
import dev.dea.openapi.OpenApiDocument;
import dev.dea.openapi.SchemaRef;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Properties;

/**
 * {@code GET /openapi.json}, built from the route registry, and {@code GET /docs}, Swagger UI
 * rendering it. Swagger UI comes from the {@code org.webjars:swagger-ui} jar on the classpath:
 * the page works with no internet access, and its Content-Security-Policy forbids loading
 * anything from anywhere but the agent. Public (no data, no secrets) unless DOCS_ENABLED=false.
 */
final class DocsRoutes {
    private static final ApiTag DOCS = new ApiTag("docs", 
            "This reference: the OpenAPI document and its rendered page (public unless DOCS_ENABLED=false).");
    private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
    private static final String OWN = "dev/dea/http/docs/";
    private static final String HTML = "text/html; charset=utf-8";
    private static final String JS = "text/javascript; charset=utf-8";
    private static final String CSS = "text/css; charset=utf-8";
    /** Swagger UI sets inline styles; scripts, data and fonts come from the agent only. */
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";

    /** A file served as is. The URLs carry no version, so browsers revalidate by ETag on every load. */
    private record Asset(String contentType, byte[] bytes, String etag) {
        static Asset of(String contentType, byte[] bytes) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
                return new Asset(contentType, bytes, '"' + HexFormat.of().formatHex(digest, 0, 16) + '"');
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required by the JDK", e);
            }
        }
    }

    private final ApiRoutes api;
    private final ApiInfo info;
    private final ObjectMapper mapper = new ObjectMapper();
    private volatile byte[] document;

    private DocsRoutes(ApiRoutes api, ApiInfo info) {
        this.api = api;
        this.info = info;
    }

    /** Adds the reference routes unless DOCS_ENABLED=false; the document covers routes added before or after. */
    static void register(ApiRoutes api, AgentConfig config) {
        if (!config.docs().enabled()) {
            return;
        }
        ApiInfo info = new ApiInfo("Data Execution Agent", Services.VERSION, """
                Explore the schema of PostgreSQL and MySQL/MariaDB databases, run guarded read-only SQL and sandboxed \
                Python/pandas next to it, and chain steps on cached result frames. Errors have the shape \
                `{"detail": {"type", "message", ...}}` with a stable `type`.""", config.publicUrl());
        DocsRoutes docs = new DocsRoutes(api, info);
        api.add(ApiOperation.get("/openapi.json").tag(DOCS).publicAccess()
                .summary("This API description (OpenAPI 3.1)")
                .ok("The OpenAPI document", SchemaRef.inline("{\"type\": \"object\"}")).build(), docs::openApi);
        Asset page = Asset.of(HTML, resource(OWN + "index.html"));
        api.add(ApiOperation.get("/docs").tag(DOCS).publicAccess()
                .summary("The API reference, rendered from /openapi.json")
                .description("Swagger UI, served by the agent itself (no internet access needed).")
                .response(200, "An HTML page", new ApiContent("text/html", SchemaRef.inline("{\"type\": \"string\"}")))
                .response(302, "Asked as /docs/: sent to /docs")
                .build(), ctx -> {
                    if (ctx.path().endsWith("/")) {
                        // The page's relative URLs resolve against /docs, not /docs/; relative, so a path prefix survives.
                        ctx.redirect("../docs");
                        return;
                    }
                    serve(ctx, page, true);
                });
        String version = webjarVersion();
        asset(api, "swagger-ui.css", Asset.of(CSS, resource(WEBJAR + version + "/swagger-ui.css")));
        asset(api, "swagger-ui-bundle.js", Asset.of(JS, resource(WEBJAR + version + "/swagger-ui-bundle.js")));
        asset(api, "docs.js", Asset.of(JS, resource(OWN + "docs.js")));
    }

    private static void asset(ApiRoutes api, String name, Asset asset) {
        api.add(ApiOperation.get("/docs/" + name).tag(DOCS).publicAccess()
                .summary("A file of the /docs page: " + name)
                .response(200, "The file", new ApiContent(asset.contentType().replaceFirst(";.*", ""),
                        SchemaRef.inline("{\"type\": \"string\"}")))
                .response(304, "Unchanged since the ETag sent in If-None-Match")
                .build(), ctx -> serve(ctx, asset, false));
    }

    private void openApi(Context ctx) {
        ctx.header("Cache-Control", "no-cache").contentType("application/json").result(document());
    }

    /** Built on first use: by then every route class has registered (the registry refuses earlier reads). */
    byte[] document() {
        byte[] doc = document;
        if (doc == null) {
            synchronized (this) {
                if (document == null) {
                    try {
                        document = mapper.writerWithDefaultPrettyPrinter()
                                .writeValueAsBytes(OpenApiDocument.build(mapper, info, api.operations()));
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException("The OpenAPI document could not be written", e);
                    }
                }
                doc = document;
            }
        }
        return doc;
    }

    private static void serve(Context ctx, Asset asset, boolean page) {
        ctx.header("Cache-Control", "no-cache").header("ETag", asset.etag()).header("X-Content-Type-Options", "nosniff");
        if (page) {
            ctx.header("Content-Security-Policy", CSP).header("Referrer-Policy", "no-referrer");
        }
        if (asset.etag().equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType(asset.contentType()).result(asset.bytes());
    }

    private static String webjarVersion() {
        Properties pom = new Properties();
        try (InputStream in = stream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            pom.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pom.getProperty("version");
    }

    private static byte[] resource(String path) {
        try (InputStream in = stream(path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Reading " + path + " from the classpath failed", e);
        }
    }

    private static InputStream stream(String path) {
        InputStream in = DocsRoutes.class.getClassLoader().getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException(path + " is missing from the classpath; the build bundles it "
                    + "(org.webjars:swagger-ui, agent resources). Set DOCS_ENABLED=false to run without /docs.");
        }
        return in;
    }
}
