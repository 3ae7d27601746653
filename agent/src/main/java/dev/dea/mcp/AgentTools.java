package dev.dea.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.cache.FrameMeta;
import dev.dea.cache.FramePin;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.execute.ExecutionContext;
import dev.dea.execute.ExecutionRequest;
import dev.dea.execute.StepLimits;
import dev.dea.execute.ExecutionResult;
import dev.dea.execute.ResultArtifact;
import dev.dea.upload.UploadOptions;
import dev.dea.upload.Uploads;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpStatelessServerFeatures.SyncResourceSpecification;
import io.modelcontextprotocol.server.McpStatelessServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

import static java.util.Objects.requireNonNull;

/**
 * The tools' behaviour: each parses its arguments, calls the service the matching HTTP route
 * calls ({@code /schema}, {@code /schema/{table}/profile}, {@code /execute},
 * {@code /execute-on-data}, {@code /frames/{key}}, {@code POST /frames}) and shapes the answer for a model.
 * Executions pass the caller's request id and address, so the execution service audits them
 * exactly like HTTP ones.
 */
final class AgentTools {
    /** The transport context entry holding the caller's {@link ExecutionContext}, put there by {@link McpEndpoint}. */
    static final String CALLER = "dea.caller";
    /** The transport context entry holding the call's {@link ToolCalls.ToolCall}: cancel and progress. */
    static final String CALL = "dea.call";
    static final String SCHEMA_URI = "dea://schema";

    /** The call the tool runs for, on the request's thread (the tools run there: immediate execution). */
    private static final ThreadLocal<ToolCalls.ToolCall> CURRENT_CALL = new ThreadLocal<>();

    private final McpServices services;
    private final SchemaDigest schema;
    private final CompactResults compact;
    private final ToolResults results;

    AgentTools(McpServices services, ObjectMapper mapper) {
        this.services = requireNonNull(services, "services");
        this.schema = new SchemaDigest(mapper);
        this.compact = new CompactResults(mapper);
        this.results = new ToolResults(mapper);
    }

    List<SyncToolSpecification> specifications() {
        return List.of(
                spec(ToolCatalog.describeSchema(), this::describeSchema),
                spec(ToolCatalog.profileTable(), this::profileTable),
                spec(ToolCatalog.runSql(), this::runSql),
                spec(ToolCatalog.runPython(), this::runPython),
                spec(ToolCatalog.runPythonOnFrames(), this::runPythonOnFrames),
                spec(ToolCatalog.getFrame(), this::getFrame),
                spec(ToolCatalog.uploadFrame(), this::uploadFrame));
    }

    /** The compact overview of {@code describe_schema} without arguments, as the resource {@code dea://schema}. */
    SyncResourceSpecification schemaResource() {
        McpSchema.Resource resource = McpSchema.Resource.builder().uri(SCHEMA_URI).name("schema").title("Database schema")
                .description("Every table and view with its columns, keys and approximate row count, compactly "
                        + "(what the describe_schema tool returns without arguments).")
                .mimeType("application/json").build();
        return new SyncResourceSpecification(resource, (context, request) -> {
            try {
                String json = results.text(services.datasources().use(Optional.empty(), d -> schema.overview(d.schema().schema())));
                return new McpSchema.ReadResourceResult(List.of(new McpSchema.TextResourceContents(SCHEMA_URI, "application/json", json)));
            } catch (RuntimeException e) {
                // Resources have no tool-error channel: the failure is a JSON-RPC error carrying the agent's type.
                var detail = results.detail("resource " + SCHEMA_URI, e, caller(context).requestId());
                throw McpError.builder(McpSchema.ErrorCodes.INTERNAL_ERROR)
                        .message(detail.path("type").asText() + ": " + detail.path("message").asText()).build();
            }
        });
    }

    private McpSchema.CallToolResult describeSchema(ToolArguments args, ExecutionContext caller) {
        Optional<String> table = args.optionalString("table", 1_000);
        return services.datasources().use(datasource(args), d -> table
                .map(t -> results.success(schema.table(d.schema().resolve(t)), List.of()))
                .orElseGet(() -> results.success(schema.overview(d.schema().schema()), List.of())));
    }

    private McpSchema.CallToolResult profileTable(ToolArguments args, ExecutionContext caller) {
        String table = args.requiredString("table", 1_000);
        ToolCalls.ToolCall call = CURRENT_CALL.get();
        return services.datasources().use(datasource(args), d -> results.success(compact.profile(
                call == null ? d.profiles().profile(table) : call.run(() -> d.profiles().profile(table))), List.of()));
    }

    private McpSchema.CallToolResult runSql(ToolArguments args, ExecutionContext caller) {
        String sql = args.requiredString("sql", StepLimits.MAX_CODE_CHARS);
        return execution(ExecutionRequest.sql(sql, previewRows(args)).on(datasource(args)), caller);
    }

    private static Optional<String> datasource(ToolArguments args) {
        return args.optionalString("datasource", 64);
    }

    private McpSchema.CallToolResult runPython(ToolArguments args, ExecutionContext caller) {
        String code = args.requiredString("code", StepLimits.MAX_CODE_CHARS);
        return execution(ExecutionRequest.python(code, Map.of(), Map.of(), previewRows(args))
                .withExactDecimals(args.optionalBoolean("exact_decimals").orElse(false)), caller);
    }

    private McpSchema.CallToolResult runPythonOnFrames(ToolArguments args, ExecutionContext caller) {
        String code = args.requiredString("code", StepLimits.MAX_CODE_CHARS);
        Map<String, String> inputs = args.optionalNameToKey("cache_keys");
        Map<String, com.fasterxml.jackson.databind.JsonNode> inline = args.optionalInlineData("input_data");
        if (inputs.isEmpty() && inline.isEmpty()) {
            throw AgentException.validation("run_python_on_frames needs at least one input in 'cache_keys' or 'input_data'; "
                    + "use run_python for code without inputs");
        }
        // Inline tables become frames through the same front door as POST /execute-on-data.
        return execution(ExecutionRequest.python(code, inputs, inline, previewRows(args))
                .withExactDecimals(args.optionalBoolean("exact_decimals").orElse(false)), caller);
    }

    private McpSchema.CallToolResult getFrame(ToolArguments args, ExecutionContext caller) {
        String key = args.requiredString("cache_key", 64).strip();
        FrameMeta meta = services.cache().get(key);
        return results.success(compact.frame(meta, services.cache().previewRows(key, previewRows(args))), List.of());
    }

    /** POST /frames for a caller that can only send JSON: the same service, audit and errors. */
    private McpSchema.CallToolResult uploadFrame(ToolArguments args, ExecutionContext caller) {
        String name = args.requiredString("format", 64).strip().toLowerCase(Locale.ROOT);
        Uploads.Format format = Uploads.FORMATS.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> AgentException.validation("Argument 'format' must be one of "
                        + String.join(", ", Uploads.FORMATS.stream().map(Uploads.Format::name).toList())));
        boolean base64 = args.optionalBoolean("base64").orElse(format.binary());
        if (format.binary() && !base64) {
            throw AgentException.validation("Format '" + format.name() + "' is binary: send 'content' base64-encoded "
                    + "(base64 true)");
        }
        // The MCP request's size limit (MAX_REQUEST_BYTES) already bounds the content.
        String content = args.requiredString("content", Integer.MAX_VALUE);
        byte[] file;
        try {
            file = base64 ? Base64.getMimeDecoder().decode(content) : content.getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw AgentException.validation("Argument 'content' is not valid base64: " + e.getMessage());
        }
        UploadOptions options = UploadOptions.parse(args.optionalString("name", 1_000).orElse(null),
                args.optionalString("types", 10_000).orElse(null),
                args.optionalBoolean("header").map(String::valueOf).orElse(null),
                args.optionalString("sheet", 1_000).orElse(null));
        try (FramePin pin = services.uploads().upload(new ByteArrayInputStream(file), file.length, format.mediaType(),
                options, caller.requestId(), caller.callerAddress())) {
            FrameMeta meta = pin.meta();
            return results.success(compact.frame(meta, services.cache().previewRows(meta.key(), previewRows(args))),
                    List.of());
        }
    }

    /** Runs the step as the call in flight: the client's cancel stops it, its progress goes to the client. */
    private McpSchema.CallToolResult execution(ExecutionRequest request, ExecutionContext caller) {
        ToolCalls.ToolCall call = CURRENT_CALL.get();
        if (call == null) {
            return execution(services.execution().execute(request, caller));
        }
        ExecutionResult result = call.run(() -> services.execution().execute(request, caller, call.progress()));
        return execution(result);
    }

    private McpSchema.CallToolResult execution(ExecutionResult result) {
        List<McpSchema.Content> figures = result.python().map(py -> py.artifacts().stream()
                .filter(a -> a.source().equals("figure") && a.isImage())
                .map(this::image).toList()).orElse(List.of());
        return results.success(compact.execution(result), figures);
    }

    /** A figure too large to inline in the HTTP response is read back from the store: MCP clients see every figure. */
    private McpSchema.Content image(ResultArtifact a) {
        String data = a.dataBase64().orElseGet(() -> {
            try (InputStream in = services.artifacts().open(a.key())) {
                return Base64.getEncoder().encodeToString(in.readAllBytes());
            } catch (IOException e) {
                throw AgentException.internal("Cannot read artifact " + a.key(), e);
            }
        });
        return new McpSchema.ImageContent(null, data, a.mediaType());
    }

    private int previewRows(ToolArguments args) {
        int max = Math.min(ToolCatalog.MAX_PREVIEW_ROWS, services.maxPreviewRows());
        return args.optionalInt("preview_rows", 0, max, Math.min(ToolCatalog.DEFAULT_PREVIEW_ROWS, max));
    }

    @FunctionalInterface
    private interface Tool {
        McpSchema.CallToolResult call(ToolArguments args, ExecutionContext caller);
    }

    private SyncToolSpecification spec(McpSchema.Tool tool, Tool body) {
        BiFunction<McpTransportContext, McpSchema.CallToolRequest, McpSchema.CallToolResult> handler = (context, request) -> {
            ExecutionContext caller = caller(context);
            ToolCalls.ToolCall call = context != null && context.get(CALL) instanceof ToolCalls.ToolCall c ? c : null;
            CURRENT_CALL.set(call);
            try {
                return body.call(new ToolArguments(tool.name(), request.arguments(), ToolCatalog.arguments(tool.name())), caller);
            } catch (RuntimeException e) {
                if (call != null && call.cancelled()) {
                    return results.failure(tool.name(), new AgentException(ErrorType.CANCELLED,
                            "The client cancelled this call (notifications/cancelled); the step was stopped"), caller.requestId());
                }
                // Every failure, ours or a bug, is a tool result the model can read, never a protocol error.
                return results.failure(tool.name(), e, caller.requestId());
            } finally {
                CURRENT_CALL.remove();
            }
        };
        return SyncToolSpecification.builder().tool(tool).callHandler(handler).build();
    }

    static ExecutionContext caller(McpTransportContext context) {
        if (context != null && context.get(CALLER) instanceof ExecutionContext caller) {
            return caller;
        }
        // Only McpEndpoint.handle feeds the transport, and it always sets the caller; this is a wiring bug.
        throw new IllegalStateException("MCP request without caller context");
    }
}
