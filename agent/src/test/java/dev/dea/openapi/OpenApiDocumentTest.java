package dev.dea.openapi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.error.ErrorType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpenApiDocumentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ApiInfo INFO = new ApiInfo("t", "1", "d", Optional.empty());
    private static final ApiTag TAG = new ApiTag("things", "Things");

    record Extra(@JsonProperty("note_text") String note) {
    }

    @JsonInclude(JsonInclude.Include.NON_ABSENT)
    record Thing(@JsonProperty("thing_id") String id, @JsonProperty("size") Optional<Long> size,
                 @JsonUnwrapped Optional<Extra> extra) {
    }

    private static JsonNode document(ApiOperation... operations) {
        return JSON.valueToTree(OpenApiDocument.build(JSON, INFO, List.of(operations)));
    }

    private static ApiOperation.Builder thing() {
        return ApiOperation.get("/things/{id}").tag(TAG).summary("A thing")
                .pathParam("id", "its id", SchemaRef.inline("{\"type\": \"string\"}"))
                .ok("the thing", SchemaRef.named("Thing", Thing.class));
    }

    @Test
    void derivesSchemasFromWhatJacksonWrites() {
        JsonNode schema = document(thing().build()).at("/components/schemas/Thing");
        List<String> properties = new ArrayList<>();
        schema.path("properties").fieldNames().forEachRemaining(properties::add);
        // Names as Jackson writes them; the unwrapped Optional's properties at the top level.
        assertThat(properties).containsExactly("thing_id", "size", "note_text");
        // Optional components are left out when empty, not sent as null: optional, not nullable.
        assertThat(schema.path("required")).extracting(JsonNode::asText).containsExactly("thing_id");
        assertThat(schema.at("/properties/size/type").asText()).isEqualTo("integer");
    }

    @Test
    void givesEachErrorStatusItsOwnResponseWithTheCodesOfThatStatus() {
        JsonNode responses = document(thing().errors(ErrorType.NOT_FOUND, ErrorType.SQL_ERROR, ErrorType.TIMEOUT).build())
                .at("/paths/~1things~1{id}/get/responses");
        assertThat(responses.path("400").path("description").asText()).isEqualTo("SQL_ERROR, TIMEOUT");
        assertThat(responses.at("/404/content/application~1json/schema/allOf/1/properties/detail/properties/type/enum/0").asText())
                .isEqualTo("NOT_FOUND");
        // Added for every operation that needs a token, and for every operation.
        assertThat(responses.has("401")).isTrue();
        assertThat(responses.has("429")).isTrue();
        assertThat(responses.has("500")).isTrue();
    }

    @Test
    void publicOperationsCarryAnEmptySecurityRequirementAndNo401() {
        JsonNode op = document(thing().publicAccess().build()).at("/paths/~1things~1{id}/get");
        assertThat(op.path("security").isArray()).isTrue();
        assertThat(op.path("security")).isEmpty();
        assertThat(op.path("responses").has("401")).isFalse();
    }

    @Test
    void refusesAPathPlaceholderWithoutItsParameter() {
        assertThatThrownBy(() -> ApiOperation.get("/things/{id}").tag(TAG).summary("s")
                .ok("ok", SchemaRef.inline("{}")).build())
                .hasMessageContaining("GET /things/{id} has path placeholders [id] but documents path parameters []");
    }

    @Test
    void refusesTheSameOperationTwiceAndSchemaTextThatIsNotJson() {
        assertThatThrownBy(() -> document(thing().build(), thing().build())).hasMessageContaining("GET /things/{id} is declared twice");
        assertThatThrownBy(() -> document(thing().queryParam("n", "n", SchemaRef.inline("{\"type\": ")).build()))
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void theAcceptedQueryParametersAndBodyFieldsAreTheDocumentedOnes() {
        ApiOperation withQuery = thing().queryParam("format", "json or csv", SchemaRef.inline("{\"type\": \"string\"}")).build();
        assertThat(withQuery.queryParameters()).containsExactly("format");
        assertThat(thing().build().queryParameters()).isEmpty();
        assertThat(withQuery.bodyFields()).isEmpty();

        ApiOperation closed = ApiOperation.post("/things").tag(TAG).summary("Make a thing")
                .jsonBody(SchemaRef.written("ThingRequest", """
                        {"type": "object", "additionalProperties": false, "properties": {"name": {}, "size": {}}}"""))
                .ok("made", SchemaRef.inline("{\"type\": \"object\"}")).build();
        assertThat(closed.bodyFields()).contains(java.util.Set.of("name", "size"));

        // A body that admits any field, or is not an object with properties, is not checked.
        ApiOperation open = ApiOperation.post("/things").tag(TAG).summary("Make a thing")
                .jsonBody(SchemaRef.inline("{\"type\": \"object\", \"properties\": {\"a\": {}}, \"additionalProperties\": true}"))
                .ok("made", SchemaRef.inline("{\"type\": \"object\"}")).build();
        assertThat(open.bodyFields()).isEmpty();
        ApiOperation rpc = ApiOperation.post("/rpc").tag(TAG).summary("A message")
                .jsonBody(SchemaRef.inline("{\"type\": \"object\", \"description\": \"JSON-RPC\"}"))
                .ok("answer", SchemaRef.inline("{\"type\": \"object\"}")).build();
        assertThat(rpc.bodyFields()).isEmpty();
    }
}
