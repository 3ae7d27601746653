package dev.dea.http;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.execute.ExecutionContext;
import dev.dea.mcp.McpEndpoint;
import io.javalin.http.Context;

/**
 * {@code /mcp}: the MCP endpoint as ordinary Javalin routes, so request ids, authentication,
 * throttling, error rendering and the access log apply to it as to every other route. POST
 * carries JSON-RPC; the endpoint is stateless (see {@link McpEndpoint}), so it opens no SSE
 * stream (GET) and has no session to end (DELETE): both answer 405, as the MCP
 * specification allows for such a server.
 */
final class McpRoutes {
    private final McpEndpoint endpoint;

    McpRoutes(McpEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    void post(Context ctx) {
        // Read through Javalin: it enforces MAX_REQUEST_BYTES and keeps the bytes for anyone who read them before.
        byte[] body = ctx.bodyAsBytes();
        endpoint.handle(ctx.req(), body, ctx.res(), new ExecutionContext(RequestIds.of(ctx), ctx.ip()));
    }

    void notAllowed(Context ctx) {
        ctx.header("Allow", "POST");
        throw new AgentException(ErrorType.METHOD_NOT_ALLOWED, ctx.method() + " /mcp is not supported: this MCP endpoint "
                + "is stateless (no server-to-client stream, no session to delete); send JSON-RPC messages with POST");
    }
}
