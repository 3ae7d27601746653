package dev.dea.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.config.DbConfig;
import dev.dea.logging.JsonLogEncoder;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.SocketProxy;
import dev.dea.testing.TestPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JSON log a real agent writes while serving real requests, captured through the
 * production encoder: one access-log line per request with its fields, and no token or
 * password on any line, not even for a wrong token or a database outage.
 */
class AccessLogIT {
    private static final String WRONG_TOKEN = "wrong-token-never-logged-5c1e9b";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private Logger root;
    private AppenderBase<ILoggingEvent> capture;

    @BeforeEach
    void captureEveryLogLine() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        JsonLogEncoder encoder = new JsonLogEncoder();
        encoder.setContext(context);
        encoder.start();
        capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                lines.add(new String(encoder.encode(event), StandardCharsets.UTF_8));
            }
        };
        capture.setContext(context);
        capture.start();
        root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(capture);
    }

    @AfterEach
    void stopCapturing() {
        root.detachAppender(capture);
        capture.stop();
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not one JSON object: " + line, e);
        }
    }

    /** The access-log lines of one request; the request logger runs after the response is sent, so wait a little. */
    private List<JsonNode> accessLines(String requestId) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        List<JsonNode> found;
        do {
            found = lines.stream().map(AccessLogIT::parse)
                    .filter(n -> n.path("logger").asText().equals("dev.dea.access"))
                    .filter(n -> n.path("request_id").asText().equals(requestId)).toList();
            if (!found.isEmpty()) {
                Thread.sleep(100); // a second line would have arrived by now
                return lines.stream().map(AccessLogIT::parse)
                        .filter(n -> n.path("logger").asText().equals("dev.dea.access"))
                        .filter(n -> n.path("request_id").asText().equals(requestId)).toList();
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return found;
    }

    private JsonNode onlyAccessLine(AgentHarness.Reply reply) throws InterruptedException {
        String id = reply.header("X-Request-Id");
        assertThat(id).isNotBlank();
        List<JsonNode> found = accessLines(id);
        assertThat(found).as("access-log lines of request " + id).hasSize(1);
        return found.getFirst();
    }

    private void assertNoSecretOnAnyLine(String password) {
        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line)
                .doesNotContain(AgentHarness.TOKEN).doesNotContain(WRONG_TOKEN).doesNotContain(password));
    }

    @Test
    void writesOneStructuredLinePerRequestWithoutTokensQueriesOrBodies() throws Exception {
        DbConfig db = TestPostgres.config(TestPostgres.fixture());
        assertThat(db.password()).isNotBlank();
        try (AgentHarness agent = AgentHarness.start(db, Map.of())) {
            var profile = agent.get("/schema/actor/profile/");
            var sql = agent.sql("SELECT 'row-data-never-logged' AS v");
            var wrongToken = agent.send(HttpRequest.newBuilder(agent.uri("/execute"))
                    .header("Authorization", "Bearer " + WRONG_TOKEN).POST(HttpRequest.BodyPublishers.ofString("{}")).build());
            var withQuery = agent.get("/frames/00000000-0000-0000-0000-000000000000?token=" + AgentHarness.TOKEN);
            var unknown = agent.get("/no/such/route");

            JsonNode p = onlyAccessLine(profile);
            assertThat(p.path("level").asText()).isEqualTo("INFO");
            assertThat(p.path("request_id").asText()).isEqualTo(profile.header("X-Request-Id"));
            assertThat(p.path("method").asText()).isEqualTo("GET");
            assertThat(p.path("route").asText()).isEqualTo("/schema/{table}/profile");
            assertThat(p.path("path").asText()).isEqualTo("/schema/actor/profile/");
            assertThat(p.path("status").isInt()).isTrue();
            assertThat(p.path("status").asInt()).isEqualTo(200);
            assertThat(p.path("duration_ms").isNumber()).isTrue();
            assertThat(p.path("duration_ms").asDouble()).isPositive();
            assertThat(p.path("client").asText()).isEqualTo("127.0.0.1");

            JsonNode s = onlyAccessLine(sql);
            assertThat(s.path("route").asText()).isEqualTo("/execute");
            assertThat(s.path("status").asInt()).isEqualTo(200);
            JsonNode w = onlyAccessLine(wrongToken);
            assertThat(w.path("status").asInt()).isEqualTo(401);
            assertThat(w.path("route").asText()).isEqualTo("unmatched");
            JsonNode q = onlyAccessLine(withQuery);
            assertThat(q.path("route").asText()).isEqualTo("/frames/{key}");
            assertThat(q.path("path").asText()).isEqualTo("/frames/00000000-0000-0000-0000-000000000000");
            assertThat(q.path("status").asInt()).isEqualTo(withQuery.status());
            JsonNode u = onlyAccessLine(unknown);
            assertThat(u.path("route").asText()).isEqualTo("unmatched");
            assertThat(u.path("status").asInt()).isEqualTo(404);

            assertNoSecretOnAnyLine(db.password());
            assertThat(lines).noneSatisfy(line -> assertThat(line).contains("row-data-never-logged"));
        }
    }

    @Test
    void aDatabaseOutageIsLoggedWithoutThePassword() throws Exception {
        DbConfig base = TestPostgres.config(TestPostgres.fixture());
        try (SocketProxy proxy = SocketProxy.tcp(base.port())) {
            DbConfig viaProxy = new DbConfig(base.dialect(), "127.0.0.1", proxy.port(), base.user(), base.password(),
                    base.name(), base.sslMode(), Optional.empty(), "public", 2, base.allowPrivilegedLogin());
            try (AgentHarness agent = AgentHarness.start(viaProxy, Map.of())) {
                assertThat(agent.sql("SELECT 1").status()).isEqualTo(200);
                proxy.down();
                var refused = agent.sql("SELECT 1");
                assertThat(refused.errorType()).isEqualTo("DB_UNAVAILABLE");
                assertThat(agent.get("/health").status()).isEqualTo(503);

                JsonNode line = onlyAccessLine(refused);
                assertThat(line.path("status").asInt()).isEqualTo(503);
                assertThat(lines).anySatisfy(l -> assertThat(parse(l).path("level").asText()).isEqualTo("WARN"));
                assertNoSecretOnAnyLine(base.password());
            }
        }
    }
}
