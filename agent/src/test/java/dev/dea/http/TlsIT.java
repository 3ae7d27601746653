package dev.dea.http;

import dev.dea.testing.AgentHarness;
import dev.dea.testing.TestCertificates;
import dev.dea.testing.TestPostgres;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** With TLS_CERT_FILE and TLS_KEY_FILE the agent speaks HTTPS (TLS 1.2 or 1.3) and nothing else on its port. */
class TlsIT {
    private static X509Certificate certificate;
    private static AgentHarness agent;

    @BeforeAll
    static void startAgentWithTls() throws IOException {
        KeyPair keys = TestCertificates.rsa();
        certificate = TestCertificates.selfSigned(keys, "localhost");
        Path dir = Files.createTempDirectory("dea-tls-");
        Path cert = TestCertificates.write(dir, "agent.crt", TestCertificates.pem(certificate));
        Path key = TestCertificates.write(dir, "agent.key", TestCertificates.pkcs8(keys.getPrivate()));
        agent = AgentHarness.start(TestPostgres.config(TestPostgres.fixture()),
                Map.of("TLS_CERT_FILE", cert.toString(), "TLS_KEY_FILE", key.toString()));
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void servesHealthOverHttpsWithTls13() {
        assertThat(agent.baseUrl()).startsWith("https://127.0.0.1:");
        var reply = agent.send(client(null), HttpRequest.newBuilder(agent.uri("/health")).GET().build());
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("status").asText()).isEqualTo("ok");
        assertThat(reply.raw().sslSession()).hasValueSatisfying(s -> assertThat(s.getProtocol()).isEqualTo("TLSv1.3"));
    }

    @Test
    void servesAuthenticatedRoutesToATls12Client() {
        var reply = agent.send(client("TLSv1.2"), HttpRequest.newBuilder(agent.uri("/schema"))
                .header("Authorization", "Bearer " + AgentHarness.TOKEN).GET().build());
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("schema").path("tables").size()).isGreaterThan(10);
        assertThat(reply.raw().sslSession()).hasValueSatisfying(s -> {
            assertThat(s.getProtocol()).isEqualTo("TLSv1.2");
            assertThat(s.getCipherSuite()).matches("TLS_ECDHE_RSA_WITH_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)");
        });
    }

    @Test
    void listensOnOneTlsConnectorOnlyWithModernProtocolsAndSuites() {
        Connector[] connectors = agent.app().jettyServer().server().getConnectors();
        assertThat(connectors).as("no plain-HTTP connector beside the TLS one").hasSize(1);
        var ssl = connectors[0].getConnectionFactory(SslConnectionFactory.class);
        assertThat(ssl).isNotNull();
        assertThat(ssl.getSslContextFactory().getSelectedProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
        assertThat(ssl.getSslContextFactory().getSelectedCipherSuites()).isNotEmpty().allSatisfy(suite ->
                assertThat(suite).matches("TLS_(AES_.*_GCM_.*|CHACHA20_POLY1305_.*|ECDHE_(RSA|ECDSA)_WITH_(AES_.*_GCM|CHACHA20_POLY1305)_SHA\\d+)"));
    }

    @Test
    void answersNoPlainHttpRequest() {
        URI plain = URI.create("http://127.0.0.1:" + agent.app().port() + "/health");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        Throwable failure = catchThrowable(() -> http.send(HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString()));
        assertThat(failure).as("a plain-HTTP request gets no HTTP response").isInstanceOf(IOException.class);
    }

    @Test
    void refusesAClientThatOffersOnlyTls11() throws IOException {
        // A raw ClientHello: the JDK's own client would refuse to send TLS 1.1 at all, testing nothing.
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", agent.app().port()), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(clientHello(0x0302));
            out.flush();
            InputStream in = socket.getInputStream();
            int contentType = in.read();
            assertThat(contentType).as("a TLS alert record (21), not a ServerHello (22)").isEqualTo(21);
            byte[] rest = in.readNBytes(6);
            assertThat(rest[4]).as("fatal").isEqualTo((byte) 2);
            assertThat(rest[5]).as("protocol_version or handshake_failure").isIn((byte) 70, (byte) 40);
        }
    }

    @Test
    void refusesATls12ClientWithoutAnAeadSuite() {
        SSLParameters parameters = new SSLParameters(new String[]{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"},
                new String[]{"TLSv1.2"});
        HttpClient cbcOnly = HttpClient.newBuilder().sslContext(TestCertificates.trusting(certificate)).sslParameters(parameters)
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> cbcOnly.send(HttpRequest.newBuilder(agent.uri("/health")).GET().build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);
    }

    /** A client that trusts the test certificate, limited to {@code protocol} when given. */
    private static HttpClient client(String protocol) {
        SSLContext context = TestCertificates.trusting(certificate);
        SSLParameters parameters = context.getDefaultSSLParameters();
        if (protocol != null) {
            parameters.setProtocols(new String[]{protocol});
        }
        return HttpClient.newBuilder().sslContext(context).sslParameters(parameters).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A minimal TLS ClientHello record offering {@code version} only, with two common suites and no extensions. */
    private static byte[] clientHello(int version) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        ByteBuffer body = ByteBuffer.allocate(2 + 32 + 1 + 2 + 4 + 2);
        body.putShort((short) version).put(random).put((byte) 0)
                .putShort((short) 4).putShort((short) 0xC013).putShort((short) 0x002F)
                .put((byte) 1).put((byte) 0);
        int length = body.position();
        ByteBuffer record = ByteBuffer.allocate(5 + 4 + length);
        record.put((byte) 22).putShort((short) 0x0301).putShort((short) (4 + length))
                .put((byte) 1).put((byte) 0).putShort((short) length).put(body.array(), 0, length);
        return record.array();
    }
}
