package dev.dea.doctor;

import dev.dea.config.ConfigException;
import dev.dea.config.TlsConfig;
import dev.dea.tls.TlsMaterial;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * The HTTPS certificate the agent serves, loaded exactly as start-up loads it
 * ({@link TlsMaterial}: chain, key, the key matching the certificate), then checked for
 * being valid now, with a warning a month before it expires. Whether both variables are
 * set and both files readable is already a configuration problem.
 */
final class TlsCheck {
    static final String NAME = "tls certificate";
    static final Duration EXPIRY_WARNING = Duration.ofDays(30);

    private TlsCheck() {
    }

    static Check run(Optional<TlsConfig> tls, Clock clock) {
        if (tls.isEmpty()) {
            return Check.skip(NAME, "TLS_CERT_FILE and TLS_KEY_FILE are not set (plain HTTP)");
        }
        X509Certificate cert;
        try {
            cert = TlsMaterial.load(tls.get()).certificate();
        } catch (ConfigException e) {
            return Check.fail(NAME, String.join("; ", e.problems()),
                    "point TLS_CERT_FILE at the PEM certificate chain and TLS_KEY_FILE at its unencrypted private key");
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
        Duration left = Duration.between(now, notAfter);
        if (left.compareTo(EXPIRY_WARNING) < 0) {
            return Check.warn(NAME, subject + " expires on " + day(notAfter) + " (in " + left.toDays() + " days)",
                    "renew the certificate soon and restart the agent");
        }
        return Check.ok(NAME, subject + ", valid until " + day(notAfter));
    }

    private static LocalDate day(Instant instant) {
        return instant.atZone(ZoneOffset.UTC).toLocalDate();
    }
}
