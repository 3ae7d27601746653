package dev.dea.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SignCommandTest {
    private static final Map<String, String> ENV = Map.of("AGENT_HMAC_SECRET", SigningExamples.SECRET);
    private static final String[] POST_EXAMPLE = {"--method", "POST", "--path", "/execute", "--body", SigningExamples.POST_BODY,
            "--timestamp", "1767225600", "--nonce", SigningExamples.POST_NONCE};

    @TempDir
    Path dir;

    record Run(int status, String out, String err) {
    }

    private static Run run(Map<String, String> env, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = SignCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void printsTheDocumentedExampleAsHeaderLines() {
        Run r = run(ENV, POST_EXAMPLE);
        assertThat(r.status()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("X-DEA-Timestamp: 1767225600\nX-DEA-Nonce: " + SigningExamples.POST_NONCE
                + "\nX-DEA-Signature: " + SigningExamples.POST_SIGNATURE + "\n");
    }

    @Test
    void signsABodyFileAndAQueryLikeTheDocumentedGetExample() throws Exception {
        Path empty = Files.write(dir.resolve("empty.json"), new byte[0]);
        Run r = run(ENV, "--method", "get", "--path", SigningExamples.GET_PATH, "--query", "?" + SigningExamples.GET_QUERY,
                "--body-file", empty.toString(), "--timestamp=1767225600", "--nonce=" + SigningExamples.GET_NONCE);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("X-DEA-Signature: " + SigningExamples.GET_SIGNATURE);

        Path body = Files.writeString(dir.resolve("req.json"), SigningExamples.POST_BODY);
        Run fromFile = run(ENV, "--method", "POST", "--path", "/execute", "--body-file", body.toString(),
                "--timestamp", "1767225600", "--nonce", SigningExamples.POST_NONCE);
        assertThat(fromFile.out()).contains("X-DEA-Signature: " + SigningExamples.POST_SIGNATURE);
    }

    @Test
    void printsCurlArgumentsAndJson() throws Exception {
        Run curl = run(ENV, concat(POST_EXAMPLE, "--format", "curl"));
        assertThat(curl.out()).isEqualTo("-H 'X-DEA-Timestamp: 1767225600' -H 'X-DEA-Nonce: " + SigningExamples.POST_NONCE
                + "' -H 'X-DEA-Signature: " + SigningExamples.POST_SIGNATURE + "'\n");

        Run json = run(ENV, concat(POST_EXAMPLE, "--format", "json"));
        JsonNode node = new ObjectMapper().readTree(json.out());
        assertThat(node.path("X-DEA-Timestamp").asText()).isEqualTo("1767225600");
        assertThat(node.path("X-DEA-Nonce").asText()).isEqualTo(SigningExamples.POST_NONCE);
        assertThat(node.path("X-DEA-Signature").asText()).isEqualTo(SigningExamples.POST_SIGNATURE);
    }

    @Test
    void readsTheSecretFromAFileAndIgnoresItsTrailingNewline() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), SigningExamples.SECRET + "\n");
        Run r = run(Map.of(), concat(POST_EXAMPLE, "--secret-file", secret.toString()));
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains(SigningExamples.POST_SIGNATURE);
    }

    @Test
    void defaultsToTheCurrentTimeAndAFreshRandomNonce() {
        long before = Instant.now().getEpochSecond();
        Run a = run(ENV, "--method", "GET", "--path", "/schema", "--format", "json");
        Run b = run(ENV, "--method", "GET", "--path", "/schema", "--format", "json");
        long after = Instant.now().getEpochSecond();
        assertThat(a.status()).isZero();
        String ts = a.out().replaceAll(".*\"X-DEA-Timestamp\":\"(\\d+)\".*\\s*", "$1");
        assertThat(Long.parseLong(ts)).isBetween(before, after);
        String nonceA = a.out().replaceAll(".*\"X-DEA-Nonce\":\"([^\"]+)\".*\\s*", "$1");
        String nonceB = b.out().replaceAll(".*\"X-DEA-Nonce\":\"([^\"]+)\".*\\s*", "$1");
        assertThat(nonceA).matches(SignatureHeaders.NONCE_FORMAT).isNotEqualTo(nonceB);
    }

    @Test
    void aMissingSecretIsAUsageError() {
        Run r = run(Map.of(), "--method", "GET", "--path", "/schema");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("no secret: set AGENT_HMAC_SECRET").contains("Usage: java -jar agent.jar sign");
    }

    @Test
    void refusesTheSecretAsAnArgument() {
        Run r = run(Map.of(), "--method", "GET", "--path", "/schema", "--secret", SigningExamples.SECRET);
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--secret is not accepted").contains("ps").doesNotContain(SigningExamples.SECRET);
    }

    @Test
    void reportsUsageErrorsWithExitStatusTwo() {
        assertUsageError(run(ENV, "--path", "/schema"), "--method is required");
        assertUsageError(run(ENV, "--method", "GET"), "--path is required");
        assertUsageError(run(ENV, "--method", "GET", "--path", "schema"), "--path must be the request path");
        assertUsageError(run(ENV, "--method", "GET", "--path", "/schema?a=1"), "use --query");
        assertUsageError(run(ENV, "--method", "POST", "--path", "/execute", "--body", "{}", "--body-file", "x"), "not both");
        assertUsageError(run(ENV, "--method", "POST", "--path", "/execute", "--body-file", dir.resolve("nope").toString()),
                "cannot be read");
        assertUsageError(run(ENV, "--method", "GET", "--path", "/schema", "--format", "yaml"), "--format must be");
        assertUsageError(run(ENV, "--method", "GET", "--path", "/schema", "--nonce", "short"), "--nonce must be");
        assertUsageError(run(ENV, "--method", "GET", "--path", "/schema", "--timestamp", "yesterday"), "--timestamp must be");
        assertUsageError(run(ENV, "--method", "GET", "--path", "/schema", "--verbose"), "unknown argument '--verbose'");
        assertUsageError(run(ENV, "--method", "GET", "--path"), "--path needs a value");
        assertUsageError(run(ENV, "--method", "GET", "--method", "POST", "--path", "/x"), "--method is given twice");
    }

    @Test
    void helpPrintsTheUsage() {
        Run r = run(Map.of(), "--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("Usage: java -jar agent.jar sign");
    }

    private static void assertUsageError(Run r, String message) {
        assertThat(r.status()).as(r.err()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("error: ").contains(message).contains("Usage:");
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
