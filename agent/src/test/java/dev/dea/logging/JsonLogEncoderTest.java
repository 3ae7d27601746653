package dev.dea.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JsonLogEncoderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Logger logger = context.getLogger("dev.dea.access");
    private final JsonLogEncoder encoder = new JsonLogEncoder();

    private LoggingEvent event(Level level, String message, Throwable thrown, Object... args) {
        LoggingEvent e = new LoggingEvent(Logger.class.getName(), logger, level, message, thrown, args);
        e.setInstant(Instant.parse("2026-06-15T10:55:10.501123Z"));
        e.setThreadName("worker-1");
        return e;
    }

    private String encode(LoggingEvent e) {
        return new String(encoder.encode(e), StandardCharsets.UTF_8);
    }

    private static JsonNode parse(String line) throws Exception {
        assertThat(line).endsWith("\n");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n").doesNotContain("\r");
        return JSON.readTree(line);
    }

    @Test
    void writesOneFlatObjectWithKeyValuePairsAsTypedFields() throws Exception {
        LoggingEvent e = event(Level.INFO, "{} {} {}", null, "POST", "/execute", 200);
        e.addKeyValuePair(new KeyValuePair("request_id", "r-1"));
        e.addKeyValuePair(new KeyValuePair("status", 200));
        e.addKeyValuePair(new KeyValuePair("duration_ms", 12.34));
        e.addKeyValuePair(new KeyValuePair("cached", true));
        e.addKeyValuePair(new KeyValuePair("role", null));

        JsonNode n = parse(encode(e));
        assertThat(n.path("timestamp").asText()).isEqualTo("2026-06-15T10:55:10.501Z");
        assertThat(n.path("level").asText()).isEqualTo("INFO");
        assertThat(n.path("logger").asText()).isEqualTo("dev.dea.access");
        assertThat(n.path("thread").asText()).isEqualTo("worker-1");
        assertThat(n.path("message").asText()).isEqualTo("POST /execute 200");
        assertThat(n.path("request_id").asText()).isEqualTo("r-1");
        assertThat(n.path("status").isInt()).isTrue();
        assertThat(n.path("status").asInt()).isEqualTo(200);
        assertThat(n.path("duration_ms").isDouble()).isTrue();
        assertThat(n.path("cached").isBoolean()).isTrue();
        assertThat(n.path("role").isNull()).isTrue();
        assertThat(n.has("error")).isFalse();
        assertThat(n.has("mdc")).isFalse();
    }

    @Test
    void keepsMultiLineMessagesAndControlCharactersOnOneLine() throws Exception {
        JsonNode n = parse(encode(event(Level.WARN, "line one\nline two\r\t\u0001 \"quoted\" \\ é", null)));
        assertThat(n.path("message").asText()).isEqualTo("line one\nline two\r\t\u0001 \"quoted\" \\ é");
    }

    @Test
    void writesTheExceptionAsErrorAndOneStackString() throws Exception {
        IllegalStateException thrown = new IllegalStateException("pool exhausted", new RuntimeException("root cause"));
        JsonNode n = parse(encode(event(Level.ERROR, "Unexpected error", thrown)));
        assertThat(n.path("error").asText()).isEqualTo("java.lang.IllegalStateException: pool exhausted");
        assertThat(n.path("stack").asText()).contains("at dev.dea.logging.JsonLogEncoderTest")
                .contains("Caused by: java.lang.RuntimeException: root cause");
    }

    @Test
    void neverLetsAKeyValuePairShadowAFixedFieldOrAnother() throws Exception {
        LoggingEvent e = event(Level.INFO, "m", null);
        e.addKeyValuePair(new KeyValuePair("level", "spoofed"));
        e.addKeyValuePair(new KeyValuePair("message", "spoofed"));
        e.addKeyValuePair(new KeyValuePair("id", 1));
        e.addKeyValuePair(new KeyValuePair("id", 2));

        JsonNode n = parse(encode(e));
        assertThat(n.path("level").asText()).isEqualTo("INFO");
        assertThat(n.path("message").asText()).isEqualTo("m");
        assertThat(n.path("kv_level").asText()).isEqualTo("spoofed");
        assertThat(n.path("kv_message").asText()).isEqualTo("spoofed");
        assertThat(List.of(n.path("id").asInt(), n.path("kv_id").asInt())).containsExactly(1, 2);
    }

    @Test
    void writesNonFiniteNumbersAsStringsSoTheLineStaysJson() throws Exception {
        LoggingEvent e = event(Level.INFO, "m", null);
        e.addKeyValuePair(new KeyValuePair("ratio", Double.NaN));
        JsonNode n = parse(encode(e));
        assertThat(n.path("ratio").asText()).isEqualTo("NaN");
    }

    @Test
    void hasNoHeaderOrFooter() {
        assertThat(encoder.headerBytes()).isNull();
        assertThat(encoder.footerBytes()).isNull();
    }
}
