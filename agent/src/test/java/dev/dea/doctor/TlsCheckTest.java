package dev.dea.doctor;

import dev.dea.config.TlsConfig;
import dev.dea.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class TlsCheckTest {
    @TempDir
    Path dir;

    private static Check check(Path cert, Path key) {
        return TlsCheck.run(Optional.of(new TlsConfig(cert, key)), Clock.systemUTC());
    }

    private static Check check(TestCertificates.PemPair files) {
        return check(files.cert(), files.key());
    }

    @Test
    void validCertificateIsOkWithItsExpiryDate() {
        Check check = check(TestCertificates.writeSelfSigned(dir, "agent.example", Duration.ofDays(-1), Duration.ofDays(365)));
        assertThat(check.status()).isEqualTo(Check.Status.OK);
        assertThat(check.detail()).contains("CN=agent.example")
                .contains(LocalDate.now(ZoneOffset.UTC).plusDays(365).toString());
    }

    @Test
    void expiredCertificateFails() {
        Check check = check(TestCertificates.writeSelfSigned(dir, "old", Duration.ofDays(-400), Duration.ofDays(-2)));
        assertThat(check.status()).isEqualTo(Check.Status.FAIL);
        assertThat(check.detail()).contains("expired on " + LocalDate.now(ZoneOffset.UTC).minusDays(2));
        assertThat(check.remedy()).hasValueSatisfying(r -> assertThat(r).contains("renew"));
    }

    @Test
    void certificateNotYetValidFails() {
        Check check = check(TestCertificates.writeSelfSigned(dir, "future", Duration.ofDays(3), Duration.ofDays(300)));
        assertThat(check.status()).isEqualTo(Check.Status.FAIL);
        assertThat(check.detail()).contains("not valid before");
    }

    @Test
    void certificateExpiringWithinThirtyDaysWarns() {
        Check check = check(TestCertificates.writeSelfSigned(dir, "soon", Duration.ofDays(-60), Duration.ofDays(10).plusHours(1)));
        assertThat(check.status()).isEqualTo(Check.Status.WARN);
        assertThat(check.detail()).contains("in 10 days");
    }

    @Test
    void unsetIsSkipped() {
        assertThat(TlsCheck.run(Optional.empty(), Clock.systemUTC()).status()).isEqualTo(Check.Status.SKIP);
    }

    @Test
    void keyOfAnotherCertificateFails() {
        var one = TestCertificates.writeSelfSigned(dir, "one", Duration.ofDays(-1), Duration.ofDays(90));
        var other = TestCertificates.writeSelfSigned(dir, "other", Duration.ofDays(-1), Duration.ofDays(90));
        Check check = check(one.cert(), other.key());
        assertThat(check.status()).isEqualTo(Check.Status.FAIL);
        assertThat(check.detail()).contains("TLS_KEY_FILE");
    }

    @Test
    void keyGivenAsCertificateFailsWithoutPrintingTheKey() throws Exception {
        var files = TestCertificates.writeSelfSigned(dir, "swapped", Duration.ofDays(-1), Duration.ofDays(90));
        Check check = check(files.key(), files.key());
        assertThat(check.status()).isEqualTo(Check.Status.FAIL);
        assertThat(check.detail()).contains("TLS_CERT_FILE");
        String keyBody = Files.readAllLines(files.key()).get(1);
        assertThat(check.line()).doesNotContain(keyBody);
    }
}
