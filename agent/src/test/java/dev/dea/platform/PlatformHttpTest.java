package dev.dea.platform;

import dev.dea.platform.FakePlatform.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class PlatformHttpTest {
    private static final String TOKEN = "s3cret-agent-token-0123456789abcdef";
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    /** Generous against a slow CI machine, yet far below "forever". */
    private static final Duration BOUND = Duration.ofSeconds(5);

    private FakePlatform platform;
    private PlatformHttp http;

    @BeforeEach
    void start() throws IOException {
        platform = new FakePlatform();
        RegistrationSpec spec = RegistrationSpec.of(platform.baseUrl(), PlatformClient.DEFAULT_REGISTRATION_PATH, "agent-7",
                Optional.empty(), "1.2.3", "postgresql", Map.of("endpoints", List.of("/v1/execute")), TOKEN,
                Duration.ofSeconds(30));
        http = new PlatformHttp(spec, Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() throws IOException {
        http.shutdownNow();
        platform.close();
    }

    private PlatformHttp.Outcome post() {
        return assertTimeoutPreemptively(BOUND,
                () -> http.post(platform.baseUrl().resolve("/heartbeat"), Map.of("agent_id", "agent-7"), TIMEOUT));
    }

    @Test
    void anErrorWithAnEndlessBodyReturnsInBoundedTimeWithATruncatedSnippet() {
        platform.answer(r -> Reply.status(503).withBody("x".repeat(8192)).endlessly());
        PlatformHttp.Outcome o = post();
        assertThat(o.status()).isEqualTo(503);
        assertThat(o.error()).startsWith("HTTP 503: xxxx").endsWith("...").hasSizeLessThan(400);
    }

    @Test
    void anErrorWhoseBodyNeverComesReturnsOnceTheTimeoutHasPassed() {
        platform.answer(r -> Reply.status(500).withBody("").stalled());
        long t0 = System.nanoTime();
        PlatformHttp.Outcome o = post();
        assertThat(o.status()).isEqualTo(500);
        assertThat(o.error()).isEqualTo("HTTP 500");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TIMEOUT.plusSeconds(2));
    }

    @Test
    void aSuccessDoesNotWaitForItsBody() {
        platform.answer(r -> Reply.status(200).stalled());
        long t0 = System.nanoTime();
        PlatformHttp.Outcome o = post();
        assertThat(o.success()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("not even the timeout").isLessThan(TIMEOUT);

        platform.answer(r -> Reply.status(200).withBody("{}".repeat(4096)).endlessly());
        assertThat(post().success()).isTrue();
    }

    @Test
    void aTokenCutAtTheEndOfTheReadPrefixStaysOutOfTheError() {
        // The echoed token straddles the end of what is read; only its first ten characters would be.
        String body = " ".repeat(PlatformHttp.MAX_ERROR_BODY_BYTES - 10) + TOKEN + " and more";
        platform.answer(r -> Reply.status(401).withBody(body));
        PlatformHttp.Outcome o = post();
        assertThat(o.status()).isEqualTo(401);
        assertThat(o.error()).doesNotContain(TOKEN.substring(0, 10)).isEqualTo("HTTP 401");
    }

    @Test
    void anErrorBodyReadWholeIsStillReportedAndRedacted() {
        platform.answer(r -> Reply.status(403).withBody("{\"error\":\"unknown token " + TOKEN + "\"}"));
        assertThat(post().error()).isEqualTo("HTTP 403: {\"error\":\"unknown token <redacted>\"}");
    }
}
