package dev.dea.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.dea.testing.AgentHarness;
import dev.dea.testing.AgentOnDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slow clients cannot freeze the agent: hundreds of connections with a valid token that
 * trickle their request bodies (the reproduced attack) leave /health and ordinary requests
 * answering, and are themselves cut off within REQUEST_BODY_TIMEOUT_SECONDS. The attacker
 * connects from 127.0.0.2, the test's own requests from 127.0.0.1: two client addresses, as an
 * attacker and the platform would be. Also downloads cut short, by the client or by the agent.
 */
class SlowClientIT {
    private static final int CONNECTIONS = 300;
    private static final int BODY_TIMEOUT_SECONDS = 6;
    private static final int PER_CLIENT = 100;
    @RegisterExtension
    static final AgentOnDatabase fixture = AgentOnDatabase.fresh("dea_it_slow")
            .env(Map.of(
                "REQUEST_BODY_TIMEOUT_SECONDS", String.valueOf(BODY_TIMEOUT_SECONDS),
                "MAX_REQUESTS_PER_CLIENT", String.valueOf(PER_CLIENT)));
    private static String database;
    private static AgentHarness agent;

    @BeforeAll
    static void start() {
        database = fixture.database();
        agent = fixture.agent();
    }

    @Test
    void tricklingBodiesAreCutOffWhileHealthAndOtherClientsKeepAnswering() throws Exception {
        List<Socket> slow = new ArrayList<>();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            long attackStart = System.nanoTime();
            for (int i = 0; i < CONNECTIONS; i++) {
                slow.add(slowExecute("127.0.0.2"));
            }

            HttpRequest health = HttpRequest.newBuilder(agent.uri("/health")).timeout(Duration.ofSeconds(2)).build();
            boolean executed = false;
            int polls = 0;
            long pollEnd = System.nanoTime() + Duration.ofSeconds(BODY_TIMEOUT_SECONDS + 8).toNanos();
            long nextTrickle = System.nanoTime();
            while (System.nanoTime() < pollEnd && polls < 100) {
                if (System.nanoTime() >= nextTrickle) {
                    trickle(slow);
                    nextTrickle = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
                long t0 = System.nanoTime();
                HttpResponse<String> r = client.send(health, HttpResponse.BodyHandlers.ofString());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(r.statusCode()).as("GET /health during the attack").isEqualTo(200);
                assertThat(ms).as("GET /health answer time (ms)").isLessThan(2_000);
                polls++;
                if (!executed && polls == 4) {
                    var sql = agent.sql("SELECT 1 AS one");
                    assertThat(sql.status()).as("POST /execute from another address during the attack: " + sql.body())
                            .isEqualTo(200);
                    executed = true;
                }
                Thread.sleep(500);
            }
            assertThat(polls).isGreaterThan(20);
            assertThat(executed).isTrue();

            // The bound plus a margin for this loaded machine: by now every slow connection was answered or closed.
            assertThat(Duration.ofNanos(System.nanoTime() - attackStart)).isGreaterThan(Duration.ofSeconds(BODY_TIMEOUT_SECONDS + 4));
            int timedOut = 0;
            int refused = 0;
            for (Socket s : slow) {
                String status = statusLine(s);
                assertThat(status).as("what a slow connection got").matches("HTTP/1.1 (408|429) .*|closed");
                if (status.startsWith("HTTP/1.1 408")) {
                    timedOut++;
                } else if (status.startsWith("HTTP/1.1 429")) {
                    refused++;
                }
            }
            // PER_CLIENT were admitted and cut off by the body timeout, the rest refused before their body was read.
            assertThat(timedOut).isBetween(1, PER_CLIENT);
            assertThat(refused).isGreaterThanOrEqualTo(CONNECTIONS - PER_CLIENT);
        } finally {
            for (Socket s : slow) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing only
                }
            }
            client.close();
        }
    }

    @Test
    void aBodyThatStopsMidwayGetsA408InTheErrorShape() throws Exception {
        try (Socket s = new Socket("127.0.0.1", agent.app().port())) {
            s.setSoTimeout((BODY_TIMEOUT_SECONDS + 10) * 1_000);
            long t0 = System.nanoTime();
            s.getOutputStream().write(("POST /execute HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + AgentHarness.TOKEN + "\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 50\r\n\r\n{\"lang").getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            long seconds = Duration.ofNanos(System.nanoTime() - t0).toSeconds();
            assertThat(response).startsWith("HTTP/1.1 408").contains("\"type\":\"REQUEST_TIMEOUT\"")
                    .contains("REQUEST_BODY_TIMEOUT_SECONDS");
            assertThat(seconds).isBetween((long) BODY_TIMEOUT_SECONDS - 1, (long) BODY_TIMEOUT_SECONDS + 3);
        }
    }

    @Test
    void anUploadThatStopsMidwayGetsA408AndCachesNothing() throws Exception {
        int before = agent.services().cache().stats().frames();
        try (Socket s = new Socket("127.0.0.1", agent.app().port())) {
            s.setSoTimeout((BODY_TIMEOUT_SECONDS + 10) * 1_000);
            s.getOutputStream().write(("POST /frames HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + AgentHarness.TOKEN + "\r\n"
                    + "Content-Type: text/csv\r\nContent-Length: 5000\r\n\r\na,b\n1,2\n").getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 408").contains("\"type\":\"REQUEST_TIMEOUT\"")
                    .contains("REQUEST_BODY_TIMEOUT_SECONDS");
        }
        assertThat(agent.services().cache().stats().frames()).isEqualTo(before);
        try (var spooled = java.nio.file.Files.list(agent.cacheDir().resolve("uploads"))) {
            assertThat(spooled).as("no spool file left behind").isEmpty();
        }
    }

    @Test
    void beyondThePerClientLimitARequestIsRefusedAtOnceButHealthFromTheSameAddressAnswers() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < PER_CLIENT; i++) {
                held.add(slowExecute("127.0.0.3"));
            }
            Thread.sleep(1_000);
            try (Socket extra = slowExecute("127.0.0.3")) {
                extra.setSoTimeout(5_000);
                String response = new String(extra.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(response).startsWith("HTTP/1.1 429").containsIgnoringCase("Retry-After: 1")
                        .contains("\"type\":\"TOO_MANY_REQUESTS\"", "MAX_REQUESTS_PER_CLIENT", "\"retry_after_seconds\":1");
            }
            try (Socket health = connectFrom("127.0.0.3")) {
                health.setSoTimeout(5_000);
                health.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(health.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                        .as("/health is not counted against the address").startsWith("HTTP/1.1 200");
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    private static Socket connectFrom(String address) throws IOException {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(address, 0));
            s.connect(new InetSocketAddress("127.0.0.1", agent.app().port()), 2_000);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** A POST /execute whose body stops after its first byte. */
    private static Socket slowExecute(String address) throws IOException {
        Socket s = connectFrom(address);
        try {
            s.getOutputStream().write(("POST /execute HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + AgentHarness.TOKEN + "\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private static void trickle(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                OutputStream out = s.getOutputStream();
                out.write(' ');
                out.flush();
            } catch (IOException closedByTheAgent) {
                // expected once the agent has answered or closed it
            }
        }
    }

    @Test
    void aDownloadTheClientAbandonsIsNoErrorInTheLog() throws Exception {
        String key = agent.sql("SELECT g, md5(g::text) AS h FROM generate_series(1, 300000) g").json()
                .path("cache_key").asText();
        Logger renderer = (Logger) LoggerFactory.getLogger(ErrorRenderer.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        renderer.addAppender(logs);
        try {
            for (String format : List.of("csv", "json", "arrow")) {
                try (Socket s = new Socket("127.0.0.1", agent.uri("/").getPort())) {
                    s.getOutputStream().write(("GET /frames/" + key + "/data?format=" + format + " HTTP/1.1\r\n"
                            + "Host: localhost\r\nAuthorization: Bearer " + AgentHarness.TOKEN + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    s.getInputStream().readNBytes(4096);
                    // Reset, not a graceful close: the agent's next write fails at once.
                    s.setSoLinger(true, 0);
                }
            }
            // The agent writes on after the close until its socket buffer is full: wait for the write that fails.
            Thread.sleep(2_000);
        } finally {
            renderer.detachAppender(logs);
        }
        assertThat(logs.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
    }

    @Test
    void aDownloadThatFailsMidwayEndsAsAnIncompleteResponseNotAShorterFileThatLooksWhole() throws Exception {
        String key = agent.sql("SELECT g, md5(g::text) AS h FROM generate_series(1, 300000) g").json().path("cache_key").asText();
        java.nio.file.Path data;
        try (var files = java.nio.file.Files.walk(agent.cacheDir())) {
            data = files.filter(p -> p.endsWith(java.nio.file.Path.of(key, "1.data"))).findFirst().orElseThrow();
        }
        // Damaged behind the cache's back after it was checked: the rows past 125,000 cannot be read.
        try (var channel = java.nio.channels.FileChannel.open(data, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(4_000_000);
        }
        for (String format : java.util.List.of("csv", "json", "arrow")) {
            var request = java.net.http.HttpRequest.newBuilder(agent.uri("/frames/" + key + "/data?format=" + format))
                    .header("Authorization", "Bearer " + AgentHarness.TOKEN).build();
            try {
                var r = java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                org.assertj.core.api.Assertions.fail(format + ": the body ended cleanly: HTTP " + r.statusCode() + ", "
                        + r.body().length + " bytes, " + r.headers().map());
            } catch (java.io.IOException expected) {
                // the connection was cut: the client knows the body is incomplete
            }
        }
        assertThat(agent.get("/health").status()).as("the agent answers on").isEqualTo(200);
    }

    /** The status line the agent already sent, or "closed"; waits at most briefly, since it should be there by now. */
    private static String statusLine(Socket s) throws IOException {
        s.setSoTimeout(500);
        StringBuilder line = new StringBuilder();
        try {
            InputStream in = s.getInputStream();
            int c;
            while ((c = in.read()) != -1 && c != '\r' && line.length() < 200) {
                line.append((char) c);
            }
        } catch (SocketTimeoutException e) {
            return "no answer yet: '" + line + "'";
        } catch (IOException reset) {
            return line.isEmpty() ? "closed" : line.toString();
        }
        return line.isEmpty() ? "closed" : line.toString();
    }
}
