package dev.dea.http;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.execute.ExecutionContext;
import dev.dea.mcp.McpEndpoint;
import dev.dea.openapi.ApiContent;
import dev.dea.openapi.ApiOperation;
import dev.dea.openapi.ApiTag;
import dev.dea.openapi.SchemaRef;
import io.javalin.http.Context;

/**
 * {@code /mcp}: the MCP endpoint as ordinary Javalin routes, so request ids, authentication,
 * throttling, error rendering and the access log apply to it as to every other route. POST
 * carries JSON-RPC; the endpoint is stateless (see {@link McpEndpoint}), so it opens no SSE
 * stream (GET) and has no session to end (DELETE): both answer 405, as the MCP
 * specification allows for such a server.
 */
final class McpRoutes {
    private static final ApiTag MCP = new ApiTag("mcp", "Model Context Protocol (streamable HTTP, stateless) for LLM clients");
    private static final SchemaRef JSON_RPC = SchemaRef.inline("{\"type\": \"object\", \"description\": \"A JSON-RPC 2.0 message\"}");

    private final McpEndpoint endpoint;
    private final JsonBodies bodies;

    McpRoutes(McpEndpoint endpoint, JsonBodies bodies) {
        this.endpoint = endpoint;
        this.bodies = bodies;
    }

    void register(ApiRoutes api) {
        api.add(ApiOperation.post("/mcp").tag(MCP)
                .summary("MCP JSON-RPC messages")
                .description("initialize, tools/list, tools/call (describe_schema, profile_table, run_sql, run_python, "
                        + "run_python_on_frames, get_frame, upload_frame), resources and prompts. Tool failures come back as tool "
                        + "results with isError and the same type codes as this API.")
                .jsonBody(JSON_RPC)
                .ok("The JSON-RPC response", JSON_RPC)
                .response(202, "A notification was accepted")
                .errors(ErrorType.VALIDATION_ERROR, ErrorType.PAYLOAD_TOO_LARGE)
                .build(), this::post);
        for (ApiOperation.Builder op : new ApiOperation.Builder[]{ApiOperation.get("/mcp"), ApiOperation.delete("/mcp")}) {
            api.add(op.tag(MCP).summary("Not supported: the endpoint is stateless")
                    .response(405, "Always; send JSON-RPC with POST",
                            new ApiContent("application/json", SchemaRef.inline("{\"type\": \"object\"}")))
                    .build(), this::notAllowed);
        }
    }

    void post(Context ctx) {
        // The bounded, once-read body: HMAC verification may already have read (and hashed) it.
        byte[] body = bodies.bytes(ctx);
        endpoint.handle(ctx.req(), body, ctx.res(), new ExecutionContext(RequestIds.of(ctx), ctx.ip()));
    }

    void notAllowed(Context ctx) {
        ctx.header("Allow", "POST");
        throw new AgentException(ErrorType.METHOD_NOT_ALLOWED, ctx.method() + " /mcp is not supported: this MCP endpoint "
                + "is stateless (no server-to-client stream, no session to delete); send JSON-RPC messages with POST");
    }
}
