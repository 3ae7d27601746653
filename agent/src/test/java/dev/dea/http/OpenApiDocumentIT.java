package dev.dea.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.error.ErrorType;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestPostgres;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The served document passes swagger-parser's OpenAPI 3.1 validation and says what the brief
 * promises. It is also written to target/openapi/openapi.json, which .ci/run lints with Redocly.
 */
class OpenApiDocumentIT {
    private static AgentHarness agent;
    private static String text;
    private static JsonNode doc;

    @BeforeAll
    static void start() throws IOException {
        agent = AgentHarness.start(TestPostgres.fixture());
        var reply = agent.get("/openapi.json");
        assertThat(reply.status()).isEqualTo(200);
        text = reply.body();
        doc = reply.json();
        Path out = Path.of("target", "openapi", "openapi.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, text);
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    private static List<String> validate(String json) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);
        SwaggerParseResult result = new OpenAPIParser().readContents(json, null, options);
        List<String> messages = new ArrayList<>(result.getMessages() == null ? List.of() : result.getMessages());
        if (result.getOpenAPI() == null) {
            messages.add("no document parsed");
        }
        return messages;
    }

    @Test
    void passesSwaggerParserValidationAsOpenApi31() {
        assertThat(validate(text)).isEmpty();
        assertThat(new OpenAPIParser().readContents(text, null, new ParseOptions()).getOpenAPI().getSpecVersion().name())
                .isEqualTo("V31");
    }

    @Test
    void theValidatorRejectsABrokenDocument() {
        // A validator that accepts anything proves nothing: a dangling $ref and a bad parameter must be reported.
        String broken = text.replace("\"#/components/schemas/EnrichedExecutionResult\"", "\"#/components/schemas/Nope\"")
                .replaceFirst("\"in\" : \"path\"", "\"in\" : \"nowhere\"");
        assertThat(validate(broken)).isNotEmpty();
    }

    @Test
    void listsEveryErrorTypeOnceAsTheEnumOfDetailType() {
        List<String> codes = new ArrayList<>();
        doc.at("/components/schemas/ErrorType/enum").forEach(v -> codes.add(v.asText()));
        assertThat(codes).containsExactlyElementsOf(Arrays.stream(ErrorType.values()).map(Enum::name).toList());
        assertThat(doc.at("/components/schemas/Error/properties/detail/properties/type/$ref").asText())
                .isEqualTo("#/components/schemas/ErrorType");
    }

    @Test
    void describesErrorsPerStatusWithTheCodesOfThatStatus() {
        JsonNode responses = doc.at("/paths/~1execute/post/responses");
        assertThat(responses.path("400").path("description").asText()).contains("VALIDATION_ERROR", "SQL_REJECTED", "EXECUTION_ERROR");
        List<String> on429 = new ArrayList<>();
        responses.at("/429/content/application~1json/schema/allOf/1/properties/detail/properties/type/enum")
                .forEach(v -> on429.add(v.asText()));
        assertThat(on429).containsExactly("TOO_MANY_REQUESTS");
        assertThat(responses.at("/429/headers/Retry-After/$ref").asText()).isEqualTo("#/components/headers/Retry-After");
        assertThat(responses.has("401")).isTrue();
        assertThat(responses.has("500")).isTrue();
        // Public routes cannot answer 401.
        assertThat(doc.at("/paths/~1health/get/responses").has("401")).isFalse();
        assertThat(doc.at("/paths/~1health/get/responses").has("503")).isTrue();
    }

    @Test
    void derivesTheExecutionResultFromTheRecordItRenders() {
        JsonNode result = doc.at("/components/schemas/EnrichedExecutionResult");
        assertThat(result.path("required")).extracting(JsonNode::asText)
                .containsExactly("status", "metadata", "data", "frame_created");
        // Absent when a Python step only printed or drew: no frame was made.
        assertThat(result.path("properties").has("cache_key")).isTrue();
        // The Python output is unwrapped at the top level and present only for Python runs.
        assertThat(result.path("properties").has("stdout")).isTrue();
        assertThat(result.path("properties").has("artifacts")).isTrue();
        JsonNode metadata = doc.at("/components/schemas/ExecutionResultMetadata/properties");
        assertThat(metadata.has("execution_time_ms")).isTrue();
        assertThat(metadata.at("/result_schema/items/$ref").asText()).isEqualTo("#/components/schemas/ResultColumn");
        assertThat(doc.at("/paths/~1execute/post/responses/200/content/application~1json/schema/$ref").asText())
                .isEqualTo("#/components/schemas/EnrichedExecutionResult");
    }

    @Test
    void declaresTheArrowExport() {
        JsonNode data = doc.at("/paths/~1frames~1{key}~1data/get");
        assertThat(data.at("/responses/200/content").has("application/vnd.apache.arrow.stream")).isTrue();
        assertThat(data.at("/parameters/1/schema/enum")).extracting(JsonNode::asText).containsExactly("json", "csv", "arrow");
    }

    @Test
    void describesParametersBodiesAndTheOtherResponses() {
        assertThat(doc.at("/paths/~1schema~1{table}~1profile/get/parameters/0/name").asText()).isEqualTo("table");
        assertThat(doc.at("/paths/~1frames~1{key}/get/parameters/1/schema/maximum").asInt())
                .isEqualTo(agent.services().config().sql().maxPreviewRows());
        assertThat(doc.at("/components/schemas/ExecuteRequest/properties/language/enum")).extracting(JsonNode::asText)
                .containsExactly("sql", "python");
        assertThat(doc.at("/components/schemas/ExecuteOnDataRequest/properties/cache_keys/maxProperties").asInt()).isEqualTo(32);
        assertThat(doc.at("/components/schemas/FrameDescription/properties/provenance/$ref").asText())
                .isEqualTo("#/components/schemas/FrameDescriptionProvenance");
        assertThat(doc.at("/components/schemas/TableProfile/properties/columns/items/$ref").asText())
                .isEqualTo("#/components/schemas/ColumnProfile");
        assertThat(doc.at("/components/schemas/DatabaseSchema/properties/schema/$ref").asText())
                .isEqualTo("#/components/schemas/SchemaContents");
        assertThat(doc.at("/components/schemas/Health/properties/status/enum")).extracting(JsonNode::asText)
                .containsExactly("ok", "unavailable");
        assertThat(doc.at("/paths/~1frames~1{key}/delete/responses").has("204")).isTrue();
        assertThat(doc.at("/paths/~1frames~1{key}~1data/get/responses/200/content").has("text/csv")).isTrue();
    }

    @Test
    void describesBearerAndTheHmacHeaders() {
        JsonNode schemes = doc.at("/components/securitySchemes");
        assertThat(schemes.at("/bearerAuth/scheme").asText()).isEqualTo("bearer");
        assertThat(schemes.at("/hmacTimestamp/name").asText()).isEqualTo("X-DEA-Timestamp");
        assertThat(schemes.at("/hmacNonce/name").asText()).isEqualTo("X-DEA-Nonce");
        assertThat(schemes.at("/hmacSignature/name").asText()).isEqualTo("X-DEA-Signature");
        assertThat(schemes.at("/hmacSignature/description").asText()).contains("AUTH_MODE=hmac");
    }
}
