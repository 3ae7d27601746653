package dev.dea.http;

import dev.dea.tls.TlsMaterial;
import io.javalin.config.JavalinConfig;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Replaces Javalin's plain-HTTP listener with a TLS-only one. Javalin adds its default
 * connector only when none is configured, and {@code app.port()} reports the first one, so
 * this connector is the only socket and the one tests see. It binds where
 * {@code app.start(host, port)} says, read when the server starts.
 */
final class HttpsConnector {
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /**
     * Forward-secret AEAD suites only (regular expressions, matched against what the JDK
     * supports): every TLS 1.3 suite, and ECDHE with AES-GCM or ChaCha20-Poly1305 for TLS 1.2.
     */
    static final String[] CIPHER_SUITES = {
            "TLS_AES_(128|256)_GCM_SHA(256|384)",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_(ECDSA|RSA)_WITH_AES_(128|256)_GCM_SHA(256|384)",
            "TLS_ECDHE_(ECDSA|RSA)_WITH_CHACHA20_POLY1305_SHA256"};

    private HttpsConnector() {
    }

    static void install(JavalinConfig config, TlsMaterial material) {
        var jetty = config.jetty;
        jetty.addConnector((server, http) -> {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(material.keyStore());
            ssl.setKeyStorePassword(material.keyStorePassword());
            ssl.setCertAlias(TlsMaterial.ALIAS);
            ssl.setIncludeProtocols(PROTOCOLS);
            ssl.setIncludeCipherSuites(CIPHER_SUITES);
            ssl.setRenegotiationAllowed(false);
            HttpConfiguration https = new HttpConfiguration(http);
            // No Host-against-certificate check: clients verify the certificate themselves, and
            // probes that address the agent by IP (health checks) must still get an answer.
            https.addCustomizer(new SecureRequestCustomizer(false));
            ServerConnector connector = new ServerConnector(server,
                    new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()), new HttpConnectionFactory(https));
            connector.setHost(jetty.host);
            connector.setPort(jetty.port);
            return connector;
        });
    }
}
