package dev.dea.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.identity.AgentIdentity;
import dev.dea.listen.ListenPort;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;

/**
 * Whether the agent could listen on AGENT_HOST:AGENT_PORT. A busy port is a problem unless
 * this very agent holds it: the doctor may be asked about a running agent, and it tells its
 * own agent from anything else by asking {@code GET /health} on the port for the
 * {@code agent_id} this configuration gives ({@link AgentIdentity}). So after a failed start,
 * a port held by another program or another agent is a FAIL naming the holder.
 */
final class ListenCheck {
    static final String NAME = "listen address";
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    /** A /health answer is a few hundred bytes; anything much larger is not this agent. */
    private static final int MAX_HEALTH_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ListenCheck() {
    }

    static Check run(String host, int port, boolean tls, AgentIdentity self) {
        String where = host + ":" + port;
        return switch (ListenPort.probe(host, port)) {
            case ListenPort.Free free -> Check.ok(NAME, port == 0 ? where + " (any free port)" : where + " is free");
            case ListenPort.Unbindable u -> Check.fail(NAME, where + " cannot be bound: " + u.reason(),
                    u.reason().contains("denied") ? "ports below 1024 need root: set AGENT_PORT above 1023"
                            : "set AGENT_HOST to an address of this machine (0.0.0.0 for all)");
            case ListenPort.InUse busy -> held(where, port, busy.holder(), health(host, port, tls), self);
        };
    }

    /** {@code answer}: the holder's {@code /health} body, when it gave one. */
    static Check held(String where, int port, String holder, Optional<JsonNode> answer, AgentIdentity self) {
        Optional<String> agentId = answer.map(a -> a.path("agent_id").asText("")).filter(id -> !id.isEmpty());
        if (agentId.isPresent() && agentId.get().equals(self.id())) {
            return Check.ok(NAME, where + " is held by this agent, already running (agent_id " + self.id()
                    + ", version " + answer.get().path("version").asText("?") + ")");
        }
        String who = agentId.map(id -> "another Data Execution Agent (agent_id " + id + ", " + holder + ")").orElse(holder);
        return Check.fail(NAME, "AGENT_PORT " + port + " is in use on " + where + " by " + who,
                "stop it, or set AGENT_PORT to a free port");
    }

    private static Optional<JsonNode> health(String host, int port, boolean tls) {
        String target = switch (host) {
            case "0.0.0.0", "" -> "127.0.0.1";
            case "::", "[::]" -> "[::1]";
            default -> host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        };
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT);
        if (tls) {
            // Only to read the holder's agent_id: no credential is sent, and a self-signed certificate is the usual case.
            builder.sslContext(trustingContext());
        }
        try (HttpClient client = builder.build()) {
            HttpResponse<byte[]> response = client.send(
                    HttpRequest.newBuilder(URI.create((tls ? "https://" : "http://") + target + ":" + port + "/health"))
                            .timeout(PROBE_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.body().length > MAX_HEALTH_BYTES) {
                return Optional.empty();
            }
            JsonNode body = JSON.readTree(response.body());
            return body != null && body.isObject() ? Optional.of(body) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static SSLContext trustingContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[]{new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is required by the JDK", e);
        }
    }
}
