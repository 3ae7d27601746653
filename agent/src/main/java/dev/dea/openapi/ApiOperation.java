package dev.dea.openapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.error.ErrorType;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * One HTTP operation as the OpenAPI document describes it, declared by the route class that
 * registers its handler. {@code errors} are the {@code detail.type} codes it can answer with;
 * the builder adds those every operation of its kind has (authentication, body limits, INTERNAL).
 */
public record ApiOperation(String method, String path, String operationId, ApiTag tag, String summary,
                           Optional<String> description, boolean publicAccess, List<ApiParameter> parameters,
                           List<ApiContent> requestBody, List<ApiResponse> responses, Set<ErrorType> errors) {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}/]+)}");

    public ApiOperation {
        requireNonNull(method, "method");
        requireNonNull(path, "path");
        requireNonNull(operationId, "operationId");
        requireNonNull(tag, "tag");
        requireNonNull(summary, "summary");
        requireNonNull(description, "description");
        parameters = List.copyOf(parameters);
        requestBody = List.copyOf(requestBody);
        responses = List.copyOf(responses);
        errors = Set.copyOf(errors);
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/': " + path);
        }
        if (responses.isEmpty()) {
            throw new IllegalArgumentException(method + " " + path + " documents no response");
        }
        Set<String> placeholders = new TreeSet<>();
        for (Matcher m = PLACEHOLDER.matcher(path); m.find(); ) {
            placeholders.add(m.group(1));
        }
        Set<String> declared = new TreeSet<>();
        parameters.stream().filter(p -> p.in() == ApiParameter.Location.PATH).forEach(p -> declared.add(p.name()));
        if (!placeholders.equals(declared)) {
            throw new IllegalArgumentException(method + " " + path + " has path placeholders " + placeholders
                    + " but documents path parameters " + declared);
        }
    }

    /** The names of the query parameters it documents: the only ones a request may send. */
    public Set<String> queryParameters() {
        Set<String> names = new TreeSet<>();
        parameters.stream().filter(p -> p.in() == ApiParameter.Location.QUERY).forEach(p -> names.add(p.name()));
        return names;
    }

    /**
     * The fields its JSON object body documents (the schema's {@code properties}), or empty when
     * the body is not such an object or admits any field: the only fields a request may send.
     */
    public Optional<Set<String>> bodyFields() {
        if (requestBody.size() != 1) {
            return Optional.empty();
        }
        return Optional.of(requestBody.getFirst()).flatMap(content -> switch (content.schema()) {
            case SchemaRef.Written w -> objectProperties(w.json());
            case SchemaRef.Inline i -> objectProperties(i.json());
            case SchemaRef.Derived d -> Optional.empty();
        });
    }

    private static Optional<Set<String>> objectProperties(String json) {
        JsonNode schema;
        try {
            schema = SCHEMA_READER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("A request body schema is not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode properties = schema.path("properties");
        JsonNode extra = schema.path("additionalProperties");
        if (!"object".equals(schema.path("type").asText()) || !properties.isObject()
                || !(extra.isMissingNode() || extra.isBoolean() && !extra.booleanValue())) {
            return Optional.empty();
        }
        Set<String> names = new TreeSet<>();
        properties.fieldNames().forEachRemaining(names::add);
        return Optional.of(Set.copyOf(names));
    }

    private static final ObjectMapper SCHEMA_READER = new ObjectMapper();

    /** {@code "GET /frames/{key}"}: how the contract test and the registry name an operation. */
    public String key() {
        return method + " " + path;
    }

    public static Builder get(String path) {
        return new Builder("GET", path);
    }

    public static Builder post(String path) {
        return new Builder("POST", path);
    }

    public static Builder delete(String path) {
        return new Builder("DELETE", path);
    }

    public static Builder operation(String method, String path) {
        return new Builder(method.toUpperCase(Locale.ROOT), path);
    }

    public static final class Builder {
        private final String method;
        private final String path;
        private String operationId;
        private ApiTag tag;
        private String summary;
        private String description;
        private boolean publicAccess;
        private final List<ApiParameter> parameters = new ArrayList<>();
        private final List<ApiContent> requestBody = new ArrayList<>();
        private final List<ApiResponse> responses = new ArrayList<>();
        private final Set<ErrorType> errors = EnumSet.noneOf(ErrorType.class);

        private Builder(String method, String path) {
            this.method = requireNonNull(method, "method");
            this.path = requireNonNull(path, "path");
        }

        public Builder id(String id) {
            this.operationId = id;
            return this;
        }

        public Builder tag(ApiTag tag) {
            this.tag = tag;
            return this;
        }

        public Builder summary(String summary) {
            this.summary = summary;
            return this;
        }

        public Builder description(String description) {
            this.description = description;
            return this;
        }

        /** No credentials needed (the authentication filter lets the path through). */
        public Builder publicAccess() {
            this.publicAccess = true;
            return this;
        }

        public Builder pathParam(String name, String description, SchemaRef schema) {
            parameters.add(new ApiParameter(name, ApiParameter.Location.PATH, description, true, schema));
            return this;
        }

        public Builder queryParam(String name, String description, SchemaRef schema) {
            parameters.add(new ApiParameter(name, ApiParameter.Location.QUERY, description, false, schema));
            return this;
        }

        /** For additions that several routes share. */
        public Builder apply(java.util.function.UnaryOperator<Builder> addition) {
            return addition.apply(this);
        }

        public Builder headerParam(String name, String description, SchemaRef schema) {
            parameters.add(new ApiParameter(name, ApiParameter.Location.HEADER, description, false, schema));
            return this;
        }

        public Builder jsonBody(SchemaRef schema) {
            requestBody.add(ApiContent.json(schema));
            return this;
        }

        /** A body that may come in several media types (an upload); its size and timing are bounded like JSON's. */
        public Builder body(ApiContent... contents) {
            requestBody.addAll(List.of(contents));
            return this;
        }

        /** {@code 200} with a JSON body. */
        public Builder ok(String description, SchemaRef schema) {
            return response(200, description, ApiContent.json(schema));
        }

        public Builder response(int status, String description, ApiContent... content) {
            responses.add(new ApiResponse(status, description, List.of(content)));
            return this;
        }

        public Builder errors(ErrorType... types) {
            errors.addAll(List.of(types));
            return this;
        }

        public ApiOperation build() {
            if (summary == null || summary.isBlank() || tag == null) {
                throw new IllegalArgumentException(method + " " + path + " needs a summary and a tag");
            }
            Set<ErrorType> all = EnumSet.copyOf(errors.isEmpty() ? EnumSet.of(ErrorType.INTERNAL) : errors);
            all.add(ErrorType.INTERNAL);
            if (!publicAccess) {
                // BearerAuth refuses missing or wrong credentials and throttles addresses that keep failing.
                all.add(ErrorType.UNAUTHORIZED);
                all.add(ErrorType.TOO_MANY_REQUESTS);
            }
            if (!path.equals("/health")) {
                // ClientLimits: MAX_REQUESTS_PER_CLIENT and MAX_CONCURRENT_REQUESTS; /health is never counted.
                all.add(ErrorType.TOO_MANY_REQUESTS);
            }
            if (!requestBody.isEmpty()) {
                // JsonBodies: malformed JSON, bodies over MAX_REQUEST_BYTES or slower than REQUEST_BODY_TIMEOUT_SECONDS.
                all.add(ErrorType.VALIDATION_ERROR);
                all.add(ErrorType.PAYLOAD_TOO_LARGE);
                all.add(ErrorType.REQUEST_TIMEOUT);
            }
            return new ApiOperation(method, path, operationId != null ? operationId : defaultId(), tag, summary,
                    Optional.ofNullable(description), publicAccess, parameters, requestBody,
                    responses, all);
        }

        /** {@code POST /execute-on-data} -> {@code postExecuteOnData}. */
        private String defaultId() {
            StringBuilder id = new StringBuilder(method.toLowerCase(Locale.ROOT));
            for (String word : path.split("[^A-Za-z0-9]+")) {
                if (!word.isEmpty()) {
                    id.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
                }
            }
            return id.toString();
        }
    }
}
