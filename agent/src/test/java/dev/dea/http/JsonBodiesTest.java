package dev.dea.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonBodiesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ON_DATA = Set.of("code", "cache_keys", "input_data", "preview_rows");

    private static JsonNode body(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void aMisspelledFieldIsRefusedNamingItAndTheAcceptedOnes() throws Exception {
        JsonNode misspelled = body("{\"code\": \"result_df = x\", \"input_keys\": {\"x\": \"k\"}}");
        assertThatThrownBy(() -> JsonBodies.checkFields(misspelled, "POST /execute-on-data", ON_DATA))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.type()).isEqualTo(ErrorType.VALIDATION_ERROR);
                    assertThat(e.getMessage()).isEqualTo("Unknown field 'input_keys' in the body of POST /execute-on-data; "
                            + "accepted fields: cache_keys, code, input_data, preview_rows");
                    assertThat(e.details()).containsEntry("unknown", List.of("input_keys"))
                            .containsEntry("accepted", List.of("cache_keys", "code", "input_data", "preview_rows"));
                });
    }

    @Test
    void everyUnknownFieldIsNamedAtOnceInSortedOrder() throws Exception {
        assertThatThrownBy(() -> JsonBodies.checkFields(body("{\"zeta\": 1, \"code\": \"x\", \"alpha\": null}"),
                "POST /execute", Set.of("language", "code")))
                .hasMessageStartingWith("Unknown fields 'alpha', 'zeta' in the body of POST /execute; accepted fields: code, language");
    }

    @Test
    void documentedFieldsAndAnEmptyBodyPass() throws Exception {
        assertThatCode(() -> JsonBodies.checkFields(body("{\"code\": \"x\", \"cache_keys\": {}, \"input_data\": {}}"),
                "POST /execute-on-data", ON_DATA)).doesNotThrowAnyException();
        assertThatCode(() -> JsonBodies.checkFields(body("{}"), "POST /execute-on-data", ON_DATA)).doesNotThrowAnyException();
    }

    @Test
    void fieldNamesAreMatchedExactlyNotIgnoringCase() throws Exception {
        assertThatThrownBy(() -> JsonBodies.checkFields(body("{\"Code\": \"x\"}"), "POST /execute", Set.of("code")))
                .hasMessageContaining("'Code'");
    }

    @Test
    void aHugeUnknownNameIsNotEchoedWhole() throws Exception {
        String name = "x".repeat(10_000);
        assertThatThrownBy(() -> JsonBodies.checkFields(body("{\"" + name + "\": 1}"), "POST /execute", Set.of("code")))
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
    }
}
