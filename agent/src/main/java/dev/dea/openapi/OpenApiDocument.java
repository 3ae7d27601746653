package dev.dea.openapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dea.error.ErrorType;

import java.net.URI;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Builds the OpenAPI 3.1 document from the operations the route classes declared where they
 * register their handlers: nothing here names a route. Schemas come from {@link SchemaCatalog},
 * the error shape from {@link ErrorSchemas}, authentication from {@link AuthSchemes}.
 */
public final class OpenApiDocument {
    public static final String OPENAPI_VERSION = "3.1.0";
    private static final String REQUEST_ID = "X-Request-Id";
    private static final String RETRY_AFTER = "Retry-After";

    private final ObjectMapper mapper;
    private final SchemaCatalog catalog;
    private final ErrorSchemas errors;

    private OpenApiDocument(ObjectMapper mapper, Map<Class<?>, String> names) {
        this.mapper = mapper;
        this.catalog = new SchemaCatalog(mapper, names);
        this.errors = new ErrorSchemas(mapper);
    }

    /** The document for {@code operations}; fails on two operations with one method and path or one operationId. */
    public static ObjectNode build(ObjectMapper mapper, ApiInfo info, List<ApiOperation> operations) {
        return new OpenApiDocument(mapper, componentNames(operations)).document(info, operations);
    }

    private static Map<Class<?>, String> componentNames(List<ApiOperation> operations) {
        Map<Class<?>, String> names = new HashMap<>();
        schemaRefs(operations).forEach(ref -> {
            if (ref instanceof SchemaRef.Derived(Class<?> type, java.util.Optional<String> name) && name.isPresent()) {
                String previous = names.putIfAbsent(type, name.get());
                if (previous != null && !previous.equals(name.get())) {
                    throw new IllegalStateException(type.getName() + " is named both " + previous + " and " + name.get());
                }
            }
        });
        return names;
    }

    private static Stream<SchemaRef> schemaRefs(List<ApiOperation> operations) {
        return operations.stream().flatMap(op -> Stream.of(
                op.parameters().stream().map(ApiParameter::schema),
                op.requestBody().stream().map(ApiContent::schema),
                op.responses().stream().flatMap(r -> r.content().stream()).map(ApiContent::schema)).flatMap(s -> s));
    }

    private ObjectNode document(ApiInfo info, List<ApiOperation> operations) {
        ObjectNode doc = mapper.createObjectNode().put("openapi", OPENAPI_VERSION);
        doc.putObject("info").put("title", info.title()).put("version", info.version()).put("description", info.description());
        // Without AGENT_PUBLIC_URL: "/", i.e. the agent that served this document.
        doc.putArray("servers").addObject().put("url", info.server().map(URI::toString).orElse("/"))
                .put("description", "this agent");
        ArrayNode tags = doc.putArray("tags");
        Map<String, ApiTag> seenTags = new LinkedHashMap<>();
        for (ApiOperation op : operations) {
            ApiTag previous = seenTags.putIfAbsent(op.tag().name(), op.tag());
            if (previous != null && !previous.equals(op.tag())) {
                throw new IllegalStateException("Tag '" + op.tag().name() + "' is declared with two descriptions");
            }
        }
        seenTags.values().forEach(t -> tags.addObject().put("name", t.name()).put("description", t.description()));
        doc.set("security", AuthSchemes.requirements(mapper));

        ObjectNode paths = doc.putObject("paths");
        Set<String> keys = new HashSet<>();
        Set<String> ids = new HashSet<>();
        errors.addComponents(catalog);
        for (ApiOperation op : operations) {
            if (!keys.add(op.key())) {
                throw new IllegalStateException(op.key() + " is declared twice");
            }
            if (!ids.add(op.operationId())) {
                throw new IllegalStateException("operationId " + op.operationId() + " is used twice");
            }
            ObjectNode item = paths.has(op.path()) ? (ObjectNode) paths.get(op.path()) : paths.putObject(op.path());
            try {
                item.set(op.method().toLowerCase(java.util.Locale.ROOT), operation(op));
            } catch (IllegalStateException e) {
                throw new IllegalStateException(op.key() + ": " + e.getMessage(), e);
            }
        }

        ObjectNode components = doc.putObject("components");
        components.set("schemas", catalog.components());
        components.set("securitySchemes", AuthSchemes.schemes(mapper));
        ObjectNode headers = components.putObject("headers");
        headers.putObject(REQUEST_ID).put("description", "The request's id, in every log line about it: the caller's "
                + "own X-Request-Id when it sent one, else a new one.").putObject("schema").put("type", "string");
        headers.putObject(RETRY_AFTER).put("description", "Seconds to wait before retrying.")
                .putObject("schema").put("type", "integer");
        components.putObject("parameters").putObject("RequestId").put("name", REQUEST_ID).put("in", "header")
                .put("required", false).put("description", "An id to trace this request by; echoed in the response.")
                .putObject("schema").put("type", "string").put("maxLength", 128);
        return doc;
    }

    private ObjectNode operation(ApiOperation op) {
        ObjectNode node = mapper.createObjectNode();
        node.put("operationId", op.operationId());
        node.putArray("tags").add(op.tag().name());
        node.put("summary", op.summary());
        op.description().ifPresent(d -> node.put("description", d));
        if (op.publicAccess()) {
            // An empty requirement list: this operation needs no credentials.
            node.putArray("security");
        }
        ArrayNode params = node.putArray("parameters");
        for (ApiParameter p : op.parameters()) {
            ObjectNode param = params.addObject().put("name", p.name()).put("in", p.in().wireName())
                    .put("required", p.required()).put("description", p.description());
            param.set("schema", catalog.schema(p.schema()));
        }
        params.addObject().put("$ref", "#/components/parameters/RequestId");
        if (!op.requestBody().isEmpty()) {
            ObjectNode content = node.putObject("requestBody").put("required", true).putObject("content");
            op.requestBody().forEach(body -> content.putObject(body.mediaType()).set("schema", catalog.schema(body.schema())));
        }
        ObjectNode responses = node.putObject("responses");
        for (ApiResponse r : op.responses()) {
            ObjectNode response = response(responses, r.status(), r.description());
            if (!r.content().isEmpty()) {
                ObjectNode content = response.putObject("content");
                r.content().forEach(c -> content.putObject(c.mediaType()).set("schema", catalog.schema(c.schema())));
            }
        }
        ErrorSchemas.byStatus(op.errors()).forEach((status, types) -> {
            ObjectNode response = response(responses, status, ErrorSchemas.description(types));
            if (types.contains(ErrorType.TOO_MANY_REQUESTS)) {
                ((ObjectNode) response.get("headers")).putObject(RETRY_AFTER).put("$ref", "#/components/headers/" + RETRY_AFTER);
            }
            response.putObject("content").putObject("application/json").set("schema", errors.responseSchema(catalog, types));
        });
        return node;
    }

    private static ObjectNode response(ObjectNode responses, int status, String description) {
        String code = String.valueOf(status);
        if (responses.has(code)) {
            throw new IllegalStateException("status " + status + " is documented twice (a declared response and an error?)");
        }
        ObjectNode response = responses.putObject(code).put("description", description);
        response.putObject("headers").putObject(REQUEST_ID).put("$ref", "#/components/headers/" + REQUEST_ID);
        return response;
    }
}
