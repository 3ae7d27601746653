package dev.dea.audit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static dev.dea.audit.AuditTesting.ALL_KEYS;
import static dev.dea.audit.AuditTesting.keys;
import static dev.dea.audit.AuditTesting.lines;
import static dev.dea.audit.AuditTesting.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditLogFormatTest {
    @TempDir
    Path dir;

    private AuditLog open(boolean includeCode) {
        return new AuditLog(new AuditConfig(dir.resolve("audit/audit.log"), 1 << 20, 3, includeCode));
    }

    @Test
    void eachEventIsOneJsonLineWithExactlyTheDocumentedSnakeCaseKeys() {
        String code = "import pandas as pd\nprint(\"hi\")\r\n\t# tab \u2028 line separator, ünïcode";
        AuditEvent event = new AuditEvent(Instant.parse("2026-11-21T10:00:00.123456Z"), "req-1", "10.0.0.7",
                AuditEvent.PYTHON, AuditLog.sha256(code), Optional.of(code), List.of("public.orders", "sales.items"),
                AuditEvent.ERROR, Optional.of("EXECUTION_ERROR"), 0, 1234.5, List.of("k1", "k2"), Optional.of("k3"));
        try (AuditLog log = open(true)) {
            log.append(event);
            log.append(AuditTesting.event("req-2"));
        }

        List<String> lines = lines(dir.resolve("audit/audit.log"));
        assertThat(lines).hasSize(2);
        JsonNode n = parse(lines.get(0));
        assertThat(keys(n)).containsExactlyElementsOf(ALL_KEYS);
        assertThat(n.get("time").asText()).isEqualTo("2026-11-21T10:00:00.123456Z");
        assertThat(Instant.parse(n.get("time").asText())).isEqualTo(event.time());
        assertThat(n.get("request_id").asText()).isEqualTo("req-1");
        assertThat(n.get("caller_address").asText()).isEqualTo("10.0.0.7");
        assertThat(n.get("language").asText()).isEqualTo("python");
        assertThat(n.get("code_sha256").asText()).isEqualTo(AuditLog.sha256(code));
        assertThat(n.get("code").asText()).isEqualTo(code);
        assertThat(n.get("tables_touched")).hasSize(2);
        assertThat(n.get("tables_touched").get(1).asText()).isEqualTo("sales.items");
        assertThat(n.get("outcome").asText()).isEqualTo("error");
        assertThat(n.get("error_type").asText()).isEqualTo("EXECUTION_ERROR");
        assertThat(n.get("rows").asLong()).isZero();
        assertThat(n.get("duration_ms").asDouble()).isEqualTo(1234.5);
        assertThat(n.get("cache_keys_read").get(0).asText()).isEqualTo("k1");
        assertThat(n.get("cache_key_written").asText()).isEqualTo("k3");
    }

    @Test
    void absentOptionalsAreWrittenAsNullNotLeftOut() {
        AuditEvent event = AuditEvent.builder(AuditEvent.SQL, "SELECT 1").requestId("r").callerAddress("a").build();
        try (AuditLog log = open(true)) {
            log.append(event);
        }
        JsonNode n = parse(lines(dir.resolve("audit/audit.log")).get(0));
        assertThat(keys(n)).containsExactlyElementsOf(ALL_KEYS);
        assertThat(n.get("error_type").isNull()).isTrue();
        assertThat(n.get("cache_key_written").isNull()).isTrue();
        assertThat(n.get("outcome").asText()).isEqualTo("success");
    }

    @Test
    void withoutCodeTheCodeKeyIsOmittedButTheHashStays() {
        try (AuditLog log = open(false)) {
            log.append(AuditTesting.event("r1", "SELECT secret_literal FROM t"));
        }
        String line = lines(dir.resolve("audit/audit.log")).get(0);
        JsonNode n = parse(line);
        assertThat(keys(n)).containsExactlyElementsOf(ALL_KEYS.stream().filter(k -> !k.equals("code")).toList());
        assertThat(n.get("code_sha256").asText()).isEqualTo(AuditLog.sha256("SELECT secret_literal FROM t"));
        assertThat(line).doesNotContain("secret_literal");
    }

    @Test
    void sha256MatchesKnownVectorsOverUtf8() {
        assertThat(AuditLog.sha256("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(AuditLog.sha256(""))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(AuditLog.sha256("\u00e9")).isEqualTo("4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
    }

    @Test
    void builderHashesTheCodeItCarries() {
        AuditEvent e = AuditEvent.builder(AuditEvent.SQL, "abc").build();
        assertThat(e.codeSha256()).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(e.code()).contains("abc");
    }

    @Test
    void eventsRejectUnknownLanguagesOutcomesAndMalformedHashes() {
        assertThatThrownBy(() -> AuditEvent.builder("ruby", "x").build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuditEvent.builder(AuditEvent.SQL, "x").outcome("ok", null).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuditEvent(Instant.now(), "r", "a", "sql", "ABC", Optional.empty(), List.of(),
                "success", Optional.empty(), 0, 0, List.of(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuditEvent.builder(AuditEvent.SQL, "x").rows(-1).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuditEvent.builder(AuditEvent.SQL, "x").durationMs(Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void configRejectsLimitsThatWouldLoseLines() {
        Path p = dir.resolve("a.log");
        assertThatThrownBy(() -> new AuditConfig(p, 0, 3, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuditConfig(p, 100, 0, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuditConfig(null, 100, 1, true)).isInstanceOf(NullPointerException.class);
    }
}
