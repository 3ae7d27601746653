package dev.dea.platform;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.platform.FakePlatform.Reply;
import dev.dea.platform.PlatformStatus.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

class PlatformClientTest {
    private static final String TOKEN = "s3cret-agent-token-0123456789abcdef";
    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    private static final Duration DEADLINE = Duration.ofSeconds(15);
    private static final Map<String, Object> HEALTH = Map.of("status", "ok", "db", Map.of("reachable", true));

    private FakePlatform platform;
    private final List<PlatformClient> clients = new ArrayList<>();

    @BeforeEach
    void startPlatform() throws IOException {
        platform = new FakePlatform();
    }

    @AfterEach
    void stopAll() throws IOException {
        clients.forEach(PlatformClient::close);
        platform.close();
    }

    private RegistrationSpec spec(Duration heartbeat) {
        return RegistrationSpec.of(platform.baseUrl(), PlatformClient.DEFAULT_REGISTRATION_PATH, "agent-7",
                Optional.of(java.net.URI.create("https://agent.client.example:8080")), "1.2.3", "postgresql",
                Map.of("endpoints", List.of("/v1/execute"), "limits", Map.of("max_rows", 1000)), TOKEN, heartbeat);
    }

    private PlatformClient client(Duration heartbeat, Duration requestTimeout) {
        PlatformClient.Tuning tuning = new PlatformClient.Tuning(Duration.ofMillis(5), Duration.ofMillis(40),
                Duration.ofSeconds(2), requestTimeout, Duration.ofMillis(500), Duration.ofSeconds(3),
                new SplittableRandom(42));
        PlatformClient c = new PlatformClient(spec(heartbeat), () -> HEALTH, Clock.fixed(NOW, ZoneOffset.UTC), tuning);
        clients.add(c);
        return c;
    }

    private PlatformClient client() {
        return client(Duration.ofSeconds(30), Duration.ofSeconds(5));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }

    private static void awaitRegistered(PlatformClient c) throws InterruptedException {
        await("registered", () -> c.status().state() == State.REGISTERED);
    }

    /** Answers {@code failure} to the first {@code n} registrations, then 200 to everything. */
    private static java.util.function.Function<FakePlatform.Request, Reply> failRegistrations(int n, Reply failure) {
        AtomicInteger seen = new AtomicInteger();
        return r -> r.path().endsWith("/register") && seen.incrementAndGet() <= n ? failure : Reply.status(200);
    }

    @Test
    void registersWithBearerTokenAgentHeadersAndJsonBody() throws Exception {
        PlatformClient c = client();
        c.start();
        awaitRegistered(c);

        FakePlatform.Request r = platform.requestsTo("/register").getFirst();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/api/v1/agents/register");
        assertThat(r.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(r.header("X-Agent-Id")).isEqualTo("agent-7");
        assertThat(r.header("User-Agent")).isEqualTo("data-execution-agent/1.2.3");
        assertThat(r.header("Content-Type")).startsWith("application/json");
        JsonNode body = r.json();
        assertThat(body.path("agent_id").asText()).isEqualTo("agent-7");
        assertThat(body.path("public_url").asText()).isEqualTo("https://agent.client.example:8080");
        assertThat(body.path("version").asText()).isEqualTo("1.2.3");
        assertThat(body.path("db_dialect").asText()).isEqualTo("postgresql");
        assertThat(body.path("capabilities").path("limits").path("max_rows").asInt()).isEqualTo(1000);
        assertThat(body.path("capabilities").path("endpoints").get(0).asText()).isEqualTo("/v1/execute");
        assertThat(c.status().attempts()).isEqualTo(1);
        assertThat(c.status().lastError()).isEmpty();
    }

    @Test
    void startReturnsAtOnceAndStatusIsRegisteringWhileThePlatformDoesNotAnswer() throws Exception {
        platform.answer(r -> Reply.status(200).after(10_000));
        PlatformClient c = client();
        long t0 = System.nanoTime();
        c.start();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        assertThat(c.status().state()).isEqualTo(State.REGISTERING);
    }

    @Test
    void keepsRetryingARefusedRegistrationAndRegistersOnceThePlatformIsFixed() throws Exception {
        platform.answer(failRegistrations(3, Reply.status(401).withBody("{\"error\":\"bad token\"}")));
        PlatformClient c = client();
        c.start();
        await("first refusal recorded", () -> c.status().lastError().isPresent());
        assertThat(c.status().lastError().get()).contains("registration").contains("401");
        awaitRegistered(c);
        assertThat(platform.count("/register")).isEqualTo(4);
        assertThat(c.status().attempts()).isEqualTo(4);
        assertThat(c.status().lastError()).isEmpty();
    }

    @Test
    void retriesServerErrorsWithBackoffUntilTheRegistrationSucceeds() throws Exception {
        platform.answer(failRegistrations(5, Reply.status(503)));
        PlatformClient c = client();
        c.start();
        awaitRegistered(c);
        assertThat(platform.count("/register")).isEqualTo(6);
        assertThat(c.status().attempts()).isEqualTo(6);
    }

    @Test
    void treatsAnAnswerSlowerThanTheRequestTimeoutAsAFailureAndRetries() throws Exception {
        platform.answer(failRegistrations(2, Reply.status(200).after(3_000)));
        PlatformClient c = client(Duration.ofSeconds(30), Duration.ofMillis(200));
        c.start();
        await("timeout recorded", () -> c.status().lastError().isPresent());
        assertThat(c.status().lastError().get()).contains("no answer within 200 ms");
        awaitRegistered(c);
        assertThat(platform.count("/register")).isEqualTo(3);
    }

    @Test
    void recoversFromConnectionsDroppedWithoutAnAnswer() throws Exception {
        platform.answer(failRegistrations(2, Reply.hangUp()));
        PlatformClient c = client();
        c.start();
        await("connection error recorded", () -> c.status().lastError().isPresent());
        assertThat(c.status().lastError().get()).contains("connection error");
        awaitRegistered(c);
        assertThat(platform.count("/register")).isEqualTo(3);
    }

    @Test
    void keepsRetryingWhenNothingListensAndRegistersWhenThePlatformComesUp() throws Exception {
        java.net.URI base = platform.baseUrl();
        platform.close();
        RegistrationSpec s = RegistrationSpec.of(base, "/api/v1/agents/register", "agent-7", Optional.empty(),
                "1.2.3", "postgresql", Map.of(), TOKEN, Duration.ofSeconds(30));
        PlatformClient c = new PlatformClient(s, () -> HEALTH, Clock.systemUTC(), new PlatformClient.Tuning(
                Duration.ofMillis(5), Duration.ofMillis(40), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofMillis(500), Duration.ofSeconds(3), new SplittableRandom(1)));
        clients.add(c);
        c.start();
        await("several refused connections", () -> c.status().attempts() >= 3);
        assertThat(c.status().state()).isEqualTo(State.REGISTERING);
        assertThat(c.status().lastError().orElseThrow()).contains("connection error");

        platform = new FakePlatform(base.getPort());
        awaitRegistered(c);
        assertThat(platform.count("/register")).isEqualTo(1);
    }

    @Test
    void honoursRetryAfterSecondsOnTooManyRequests() throws Exception {
        platform.answer(failRegistrations(1, Reply.status(429).withHeader("Retry-After", "1")));
        PlatformClient c = client();
        c.start();
        awaitRegistered(c);
        List<FakePlatform.Request> r = platform.requestsTo("/register");
        assertThat(r).hasSize(2);
        // Lower bound only: the client must have waited at least the advertised second.
        assertThat(Duration.ofNanos(r.get(1).arrivedNanos() - r.get(0).arrivedNanos()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void sendsHeartbeatsWithAgentIdAndHealthEveryInterval() throws Exception {
        PlatformClient c = client(Duration.ofMillis(100), Duration.ofSeconds(5));
        c.start();
        await("three heartbeats", () -> platform.count("/heartbeat") >= 3);
        List<FakePlatform.Request> beats = platform.requestsTo("/heartbeat");
        FakePlatform.Request first = beats.getFirst();
        assertThat(first.path()).isEqualTo("/api/v1/agents/agent-7/heartbeat");
        assertThat(first.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(first.header("X-Agent-Id")).isEqualTo("agent-7");
        JsonNode body = first.json();
        assertThat(body.path("agent_id").asText()).isEqualTo("agent-7");
        assertThat(body.path("sent_at").asText()).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(body.path("health").path("status").asText()).isEqualTo("ok");
        assertThat(body.path("health").path("db").path("reachable").asBoolean()).isTrue();
        // Heartbeats are spaced by the interval (lower bound, with slack for clock granularity).
        for (int i = 1; i < beats.size(); i++) {
            assertThat(Duration.ofNanos(beats.get(i).arrivedNanos() - beats.get(i - 1).arrivedNanos()))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(80));
        }
        await("heartbeat time recorded", () -> c.status().lastHeartbeat().isPresent());
        assertThat(c.status().lastHeartbeat()).contains(NOW);
        assertThat(platform.count("/register")).isEqualTo(1);
    }

    @Test
    void registersAgainWhenAHeartbeatIsAnsweredNotFound() throws Exception {
        AtomicInteger beats = new AtomicInteger();
        platform.answer(r -> r.path().endsWith("/heartbeat") && beats.incrementAndGet() == 2
                ? Reply.status(404) : Reply.status(200));
        PlatformClient c = client(Duration.ofMillis(50), Duration.ofSeconds(5));
        c.start();
        await("second registration", () -> platform.count("/register") >= 2);
        await("heartbeats after re-registration", () -> platform.count("/heartbeat") >= 4);
        assertThat(c.status().state()).isEqualTo(State.REGISTERED);
        assertThat(c.status().attempts()).isEqualTo(2);
    }

    @Test
    void keepsHeartbeatingThroughServerErrorsAndClearsTheErrorOnRecovery() throws Exception {
        AtomicInteger beats = new AtomicInteger();
        platform.answer(r -> r.path().endsWith("/heartbeat") && beats.incrementAndGet() <= 2
                ? Reply.status(500) : Reply.status(200));
        PlatformClient c = client(Duration.ofMillis(50), Duration.ofSeconds(5));
        c.start();
        await("heartbeat failure recorded", () -> c.status().lastError().isPresent());
        assertThat(c.status().lastError().get()).contains("heartbeat").contains("500");
        assertThat(c.status().state()).isEqualTo(State.REGISTERED);
        await("heartbeat recovered", () -> c.status().lastHeartbeat().isPresent() && c.status().lastError().isEmpty());
        assertThat(platform.count("/register")).isEqualTo(1);
    }

    @Test
    void keepsHeartbeatingWhenThePlatformAnswersWithBodiesThatNeverEnd() throws Exception {
        AtomicInteger beats = new AtomicInteger();
        platform.answer(r -> r.path().endsWith("/heartbeat") && beats.incrementAndGet() <= 2
                ? Reply.status(500).withBody("x".repeat(8192)).endlessly()
                : Reply.status(200).withBody("{}".repeat(4096)).endlessly());
        PlatformClient c = client(Duration.ofMillis(50), Duration.ofMillis(500));
        c.start();
        awaitRegistered(c);
        await("heartbeats past the failing ones", () -> platform.count("/heartbeat") >= 4);
        await("heartbeat recovered", () -> c.status().lastHeartbeat().isPresent() && c.status().lastError().isEmpty());
    }

    @Test
    void closeSendsOneDeregistrationAndIsIdempotent() throws Exception {
        PlatformClient c = client();
        c.start();
        awaitRegistered(c);
        c.close();
        c.close();
        assertThat(c.status().state()).isEqualTo(State.CLOSED);
        List<FakePlatform.Request> dereg = platform.requestsTo("/deregister");
        assertThat(dereg).hasSize(1);
        assertThat(dereg.getFirst().path()).isEqualTo("/api/v1/agents/agent-7/deregister");
        assertThat(dereg.getFirst().header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(dereg.getFirst().json().path("agent_id").asText()).isEqualTo("agent-7");
        c.start();
        Thread.sleep(200);
        assertThat(platform.count("/register")).isEqualTo(1);
    }

    @Test
    void closeWhileRegisteringStopsRetryingAndSendsNoDeregistration() throws Exception {
        platform.answer(r -> Reply.status(503));
        PlatformClient c = client();
        c.start();
        await("a few attempts", () -> platform.count("/register") >= 2);
        c.close();
        // An attempt already on the wire when close() interrupted it may still reach the platform; none may start.
        Thread.sleep(100);
        int after = platform.count("/register");
        Thread.sleep(300);
        assertThat(platform.count("/register")).isEqualTo(after);
        assertThat(platform.count("/deregister")).isZero();
        assertThat(c.status().state()).isEqualTo(State.CLOSED);
    }

    @Test
    void closeReturnsPromptlyWhenTheDeregistrationHangs() throws Exception {
        platform.answer(r -> r.path().endsWith("/deregister") ? Reply.status(200).after(10_000) : Reply.status(200));
        PlatformClient c = client();
        c.start();
        awaitRegistered(c);
        long t0 = System.nanoTime();
        c.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(platform.count("/deregister")).isEqualTo(1);
    }

    @Test
    void closeBeforeStartSendsNothing() throws Exception {
        PlatformClient c = client();
        c.close();
        c.start();
        Thread.sleep(200);
        assertThat(platform.requests()).isEmpty();
        assertThat(c.status().state()).isEqualTo(State.CLOSED);
    }

    @Test
    void neitherStatusNorToStringRevealTheTokenEvenWhenThePlatformEchoesIt() throws Exception {
        platform.answer(r -> Reply.status(403).withBody("{\"error\":\"unknown token " + TOKEN + "\"}"));
        PlatformClient c = client();
        c.start();
        await("refusal recorded", () -> c.status().lastError().isPresent());
        assertThat(c.status().lastError().get()).contains("403").contains("<redacted>");
        assertThat(c.status().toString()).doesNotContain(TOKEN);
        assertThat(spec(Duration.ofSeconds(1)).toString()).doesNotContain(TOKEN).contains("<redacted>");
    }
}
