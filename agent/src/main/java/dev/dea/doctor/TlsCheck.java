package dev.dea.doctor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The HTTPS certificate the agent serves: both files readable, the certificate parseable
 * and valid now, with a warning a month before it expires. The key's content is never
 * read into the report.
 */
final class TlsCheck {
    static final String NAME = "tls certificate";
    static final Duration EXPIRY_WARNING = Duration.ofDays(30);

    private TlsCheck() {
    }

    /** TLS_CERT_FILE and TLS_KEY_FILE, each may be unset. */
    record TlsFiles(Optional<Path> cert, Optional<Path> key) {
        TlsFiles {
            requireNonNull(cert, "cert");
            requireNonNull(key, "key");
        }
    }

    /**
     * Read straight from the variables until the TLS settings are part of AgentConfig;
     * then this becomes a mapping from that record.
     */
    static TlsFiles files(Map<String, String> env) {
        return new TlsFiles(path(env, "TLS_CERT_FILE"), path(env, "TLS_KEY_FILE"));
    }

    private static Optional<Path> path(Map<String, String> env, String key) {
        return Optional.ofNullable(env.get(key)).map(String::strip).filter(v -> !v.isEmpty()).map(Path::of);
    }

    static Check run(TlsFiles files, Clock clock) {
        if (files.cert().isEmpty() && files.key().isEmpty()) {
            return Check.skip(NAME, "TLS_CERT_FILE and TLS_KEY_FILE are not set (plain HTTP)");
        }
        if (files.cert().isEmpty() || files.key().isEmpty()) {
            String set = files.cert().isPresent() ? "TLS_CERT_FILE" : "TLS_KEY_FILE";
            String unset = files.cert().isPresent() ? "TLS_KEY_FILE" : "TLS_CERT_FILE";
            return Check.fail(NAME, set + " is set but " + unset + " is not", "set both, or neither for plain HTTP");
        }
        Path certFile = files.cert().get();
        Path keyFile = files.key().get();
        for (var f : List.of(Map.entry("TLS_CERT_FILE", certFile), Map.entry("TLS_KEY_FILE", keyFile))) {
            if (!Files.isRegularFile(f.getValue()) || !Files.isReadable(f.getValue())) {
                return Check.fail(NAME, f.getKey() + " " + f.getValue() + " is not a readable file",
                        "point " + f.getKey() + " at the PEM file and let the agent's user read it");
            }
        }
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(certFile)) {
            var certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new CertificateException("no certificate in the file");
            }
            // The server's own certificate comes first in a PEM chain.
            cert = (X509Certificate) certs.iterator().next();
        } catch (IOException | CertificateException | RuntimeException e) {
            return Check.fail(NAME, "TLS_CERT_FILE " + certFile + " is not an X.509 certificate: " + e.getMessage(),
                    "point TLS_CERT_FILE at the PEM certificate (chain), not at the key");
        }
        Instant now = clock.instant();
        Instant notBefore = cert.getNotBefore().toInstant();
        Instant notAfter = cert.getNotAfter().toInstant();
        String subject = cert.getSubjectX500Principal().getName();
        if (now.isAfter(notAfter)) {
            return Check.fail(NAME, subject + " expired on " + day(notAfter), "renew the certificate and restart the agent");
        }
        if (now.isBefore(notBefore)) {
            return Check.fail(NAME, subject + " is not valid before " + day(notBefore),
                    "check the machine's clock, or use a certificate that is valid now");
        }
        long daysLeft = Duration.between(now, notAfter).toDays();
        if (Duration.between(now, notAfter).compareTo(EXPIRY_WARNING) < 0) {
            return Check.warn(NAME, subject + " expires on " + day(notAfter) + " (in " + daysLeft + " days)",
                    "renew the certificate soon and restart the agent");
        }
        return Check.ok(NAME, subject + ", valid until " + day(notAfter));
    }

    private static LocalDate day(Instant instant) {
        return instant.atZone(ZoneOffset.UTC).toLocalDate();
    }
}
