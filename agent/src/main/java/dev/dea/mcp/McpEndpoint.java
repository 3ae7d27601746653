package dev.dea.mcp;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dea.error.AgentException;
import dev.dea.execute.ExecutionContext;
import dev.dea.execute.StepProgress;
import dev.dea.frame.FrameJson;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.util.Objects.requireNonNull;

/**
 * The agent as an MCP server (Model Context Protocol, streamable-HTTP transport), built on the
 * official Java SDK: seven tools over the same services as the HTTP API, the schema as the
 * resource {@code dea://schema}, and an {@code analyze_table} prompt.
 *
 * <p><b>Stateless transport.</b> The host (the HTTP layer) passes each POST to
 * {@link #handle} from its own route, after its own request ids, authentication and
 * throttling. The SDK's stateful transport answers POSTs with SSE streams on a servlet async
 * context that it completes from other threads; inside a host route that has already
 * returned, that would race the host's own response handling, access log and error
 * rendering. The stateless transport answers every request with one JSON body on the calling
 * thread, which is a complete streamable-HTTP server for tools that return one result: no
 * session id, no server-to-client stream (GET and DELETE answer 405, as the specification
 * allows), so nothing to keep per client and nothing to lose on a restart.
 *
 * <p><b>Long calls.</b> A {@code tools/call} whose client sent {@code _meta.progressToken} is
 * answered as an event stream instead: {@code notifications/progress} while it runs (rows
 * fetched, lines printed), then the response ({@link ProgressStream}). Every tool call in
 * flight can be stopped by the client's {@code notifications/cancelled} ({@link ToolCalls}).
 */
public final class McpEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(McpEndpoint.class);
    /** The request attribute carrying the caller into the SDK's transport context. */
    private static final String CALLER_ATTRIBUTE = McpEndpoint.class.getName() + ".caller";

    /** The request attribute carrying the call's {@link ToolCalls.ToolCall} into the tools. */
    static final String CALL_ATTRIBUTE = McpEndpoint.class.getName() + ".call";

    /** The fields {@link #handle} routes on, and the objects that hold them. */
    private static final Set<String> ROUTED = Set.of("method", "id", "params.requestId", "params._meta.progressToken",
            "params.name");
    /** Kept as the JSON type of its value only ("object", "array", ...): what {@link #handle} checks of a tool's arguments. */
    private static final String ARGUMENTS = "params.arguments";
    private static final Set<String> ROUTED_PARENTS = Set.of("params", "params._meta");

    private final ToolCalls calls = new ToolCalls();
    private final ObjectMapper json = new ObjectMapper();
    private final java.util.function.Predicate<Thread> sandboxAbort;
    private final HttpServletStatelessServerTransport transport;
    private final McpStatelessSyncServer server;
    private final AtomicBoolean closed = new AtomicBoolean();

    public McpEndpoint(McpServices services, String version) {
        requireNonNull(services, "services");
        ObjectMapper mapper = FrameJson.newMapper();
        AgentTools tools = new AgentTools(services, mapper);
        this.sandboxAbort = services.sandboxAbort();
        int maxRequestBytes = (int) Math.min(Integer.MAX_VALUE, services.maxRequestBytes());
        this.transport = HttpServletStatelessServerTransport.builder()
                .jsonMapper(new JacksonMcpJsonMapper(new ObjectMapper()))
                .messageEndpoint("/mcp")
                .maxRequestSize(maxRequestBytes)
                .contextExtractor(request -> McpTransportContext.create(context(request)))
                .build();
        this.server = McpServer.sync(transport)
                .serverInfo(McpSchema.Implementation.builder("data-execution-agent", version)
                        .title("Data Execution Agent").build())
                .instructions(Instructions.server(services.datasources().all().stream()
                        .map(d -> Map.entry(d.name(), d.config().db().dialect().product())).toList(),
                        services.datasources().defaultDatasource().name()))
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).resources(false, false).prompts(false).build())
                // Tools run on the request's own thread, which already waits for the answer.
                .immediateExecution(true)
                // The tools check their own arguments, so a mistake carries the HTTP API's VALIDATION_ERROR.
                .validateToolInputs(false)
                .jsonSchemaValidator(new DefaultJsonSchemaValidator())
                .requestTimeout(services.callTimeout())
                .tools(tools.specifications())
                .resources(tools.schemaResource())
                .prompts(Instructions.analyzeTablePrompt())
                .build();
    }

    /**
     * Serves one POST to {@code /mcp}: {@code body} is the request's content, already read by the
     * host, {@code caller} who asks (for the audit trail). A request the transport refuses before
     * JSON-RPC (size, endpoint) becomes an {@link AgentException}; JSON-RPC errors and tool
     * errors are written as the protocol defines them.
     */
    public void handle(HttpServletRequest request, byte[] body, HttpServletResponse response, ExecutionContext caller) {
        requireNonNull(caller, "caller");
        request.setAttribute(CALLER_ATTRIBUTE, caller);
        JsonNode message = peek(body);
        String method = message.path("method").asText("");
        if (method.equals("notifications/cancelled") && message.path("params").has("requestId")) {
            // Then the SDK accepts the notification as usual (202).
            boolean found = calls.cancel(new ToolCalls.Key(caller.callerAddress(), message.path("params").get("requestId").toString()));
            log.info("MCP client cancelled request {}: {}", message.path("params").get("requestId"),
                    found ? "its tool call is being stopped" : "no such call in flight");
        }
        Optional<ToolCalls.Key> key = Optional.empty();
        ToolCalls.ToolCall call = null;
        ProgressStream progress = null;
        if (method.equals("tools/call") && message.hasNonNull("id")) {
            requireToolCall(message.path("params"));
            JsonNode token = message.path("params").path("_meta").path("progressToken");
            if (token.isTextual() || token.isIntegralNumber()) {
                progress = new ProgressStream(response, json, json.convertValue(token, Object.class));
            }
            key = Optional.of(new ToolCalls.Key(caller.callerAddress(), message.get("id").toString()));
            call = calls.begin(key.get(), sandboxAbort, progress == null ? StepProgress.NONE : progress);
            request.setAttribute(CALL_ATTRIBUTE, call);
        }
        var capturing = new ServletExchange.ErrorCapturingResponse(progress == null ? response : progress.response());
        try {
            transport.service(ServletExchange.withBody(request, body), capturing);
        } catch (ServletException | IOException e) {
            throw AgentException.internal("The MCP transport failed", e);
        } finally {
            if (key.isPresent()) {
                calls.end(key.get(), call);
            }
        }
        capturing.rethrow();
        if (progress != null) {
            progress.finish();
        }
    }

    /**
     * The SDK reads a tool call's params before its error handling starts: without a name, or with
     * arguments that are not an object, it would fail with a 500. The caller's mistake, said as one.
     */
    private static void requireToolCall(JsonNode params) {
        if (!params.isObject() || !params.path("name").isTextual()) {
            throw AgentException.validation("tools/call needs params with the tool's name: "
                    + "{\"name\": \"run_sql\", \"arguments\": {...}}");
        }
        if (params.has("arguments") && !params.path("arguments").asText().equals("object")) {
            throw AgentException.validation("tools/call's arguments must be an object (of the tool's input schema)");
        }
    }

    /**
     * The message's fields the endpoint routes on ({@code method}, {@code id},
     * {@code params.requestId}, {@code params._meta.progressToken}) or checks ({@code params.name},
     * the type of {@code params.arguments}); an empty node for a batch
     * or anything unparsable (the SDK answers those). Read with the streaming parser, skipping
     * everything else: the SDK parses the whole body again, and a tool's arguments (an
     * upload_frame file) can be most of {@code MAX_REQUEST_BYTES}.
     */
    private JsonNode peek(byte[] body) {
        ObjectNode out = json.createObjectNode();
        try (JsonParser p = json.getFactory().createParser(body)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                pick(p, out, "");
            }
            return out;
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }

    /** Copies the {@link #ROUTED} fields of the object the parser is in into {@code out}; skips the rest unread. */
    private void pick(JsonParser p, ObjectNode out, String prefix) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            String path = prefix + name;
            JsonToken value = p.nextToken();
            if (ROUTED.contains(path)) {
                out.set(name, small(p));
            } else if (path.equals(ARGUMENTS)) {
                out.put(name, p.currentToken() == JsonToken.START_OBJECT ? "object" : p.currentToken().name());
                p.skipChildren();
            } else if (value == JsonToken.START_OBJECT && ROUTED_PARENTS.contains(path)) {
                pick(p, out.putObject(name), path + ".");
            } else {
                p.skipChildren();
            }
        }
    }

    /** A scalar as a node; an object or array (never a valid id, method or token) is skipped as null. */
    private JsonNode small(JsonParser p) throws IOException {
        if (p.currentToken().isStructStart()) {
            p.skipChildren();
            return json.getNodeFactory().nullNode();
        }
        return json.readTree(p);
    }

    private static Map<String, Object> context(HttpServletRequest request) {
        Object caller = requireNonNull(request.getAttribute(CALLER_ATTRIBUTE), "caller");
        Object call = request.getAttribute(CALL_ATTRIBUTE);
        return call == null ? Map.of(AgentTools.CALLER, caller) : Map.of(AgentTools.CALLER, caller, AgentTools.CALL, call);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                server.close();
            } catch (RuntimeException e) {
                log.warn("Closing the MCP server failed: {}", e.getMessage());
            }
        }
    }
}
