package dev.dea.config;

import java.nio.file.Path;

import static java.util.Objects.requireNonNull;

/**
 * HTTPS material: a PEM certificate chain (the server's certificate first) and its PEM
 * private key. When present the agent serves HTTPS only.
 */
public record TlsConfig(Path certFile, Path keyFile) {
    public TlsConfig {
        requireNonNull(certFile, "certFile");
        requireNonNull(keyFile, "keyFile");
    }
}
