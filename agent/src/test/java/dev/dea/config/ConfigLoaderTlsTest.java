package dev.dea.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** TLS_CERT_FILE and TLS_KEY_FILE: both or neither, and files the agent can read. */
class ConfigLoaderTlsTest {
    @TempDir
    Path dir;

    @Test
    void servesPlainHttpWithoutTlsFiles() {
        AgentConfig config = ConfigLoader.load(Map.of());
        assertThat(config.tls()).isEmpty();
        assertThat(config.scheme()).isEqualTo("http");
    }

    @Test
    void readsBothFilesAsAbsolutePaths() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path key = Files.writeString(dir.resolve("key.pem"), "x");
        AgentConfig config = ConfigLoader.load(Map.of("TLS_CERT_FILE", cert.toString(), "TLS_KEY_FILE", key.toString()));
        assertThat(config.tls()).contains(new TlsConfig(cert.toAbsolutePath(), key.toAbsolutePath()));
        assertThat(config.scheme()).isEqualTo("https");
        assertThat(config.toString()).contains("tls=" + cert.toAbsolutePath());
    }

    @Test
    void namesTheMissingKeyFile() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        assertThat(problems(Map.of("TLS_CERT_FILE", cert.toString())))
                .containsExactly("TLS_KEY_FILE is required when TLS_CERT_FILE is set: the PEM private key of the certificate");
    }

    @Test
    void namesTheMissingCertificateFile() throws Exception {
        Path key = Files.writeString(dir.resolve("key.pem"), "x");
        assertThat(problems(Map.of("TLS_KEY_FILE", key.toString())))
                .singleElement().asString().startsWith("TLS_CERT_FILE is required when TLS_KEY_FILE is set");
    }

    @Test
    void reportsFilesThatCannotBeReadAlongsideOtherProblems() {
        Map<String, String> env = new HashMap<>(Map.of("TLS_CERT_FILE", dir.resolve("nope.pem").toString(),
                "TLS_KEY_FILE", dir.toString(), "AGENT_PORT", "x"));
        assertThat(problems(env)).containsExactlyInAnyOrder(
                "AGENT_PORT must be a whole number, got 'x'",
                "TLS_CERT_FILE " + dir.resolve("nope.pem") + " does not exist",
                "TLS_KEY_FILE " + dir + " is not a regular file");
    }

    private static java.util.List<String> problems(Map<String, String> env) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(env));
        assertThat(e).as("configuration must be refused").isNotNull();
        return e.problems();
    }
}
