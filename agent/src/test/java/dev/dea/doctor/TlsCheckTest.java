package dev.dea.doctor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TlsCheckTest {
    @TempDir
    Path dir;

    private static Check check(Map<String, String> env) {
        return TlsCheck.run(TlsCheck.files(env), Clock.systemUTC());
    }

    private static Map<String, String> env(TestCertificates.PemFiles files) {
        return Map.of("TLS_CERT_FILE", files.cert().toString(), "TLS_KEY_FILE", files.key().toString());
    }

    @Test
    void validCertificateIsOkWithItsExpiryDate() {
        var files = TestCertificates.write(dir, "agent.example", Duration.ofDays(-1), Duration.ofDays(365));
        Check check = check(env(files));
        assertThat(check.status()).isEqualTo(Check.Status.OK);
        assertThat(check.detail()).contains("CN=agent.example")
                .contains(LocalDate.now(ZoneOffset.UTC).plusDays(365).toString());
    }

    @Test
    void expiredCertificateFails() {
        var files = TestCertificates.write(dir, "old", Duration.ofDays(-400), Duration.ofDays(-2));
        Check check = check(env(files));
        assertThat(check.status()).isEqualTo(Check.Status.FAIL);
        assertThat(check.detail()).contains("expired on " + LocalDate.now(ZoneOffset.UTC).minusDays(2));
        assertThat(check.remedy()).hasValueSatisfying(r -> assertThat(r).contains("renew"));
    }

    @Test
    void certificateNotYetValidFails() {
        var files = TestCertificates.write(dir, "future", Duration.ofDays(3), Duration.ofDays(300));
        Check check = check(env(files));
        assertThat(check.status()).isEqualTo(Check.Status.FAIL);
        assertThat(check.detail()).contains("not valid before");
    }

    @Test
    void certificateExpiringWithinThirtyDaysWarns() {
        var files = TestCertificates.write(dir, "soon", Duration.ofDays(-60), Duration.ofDays(10).plusHours(1));
        Check check = check(env(files));
        assertThat(check.status()).isEqualTo(Check.Status.WARN);
        assertThat(check.detail()).contains("in 10 days");
    }

    @Test
    void unsetIsSkipped() {
        assertThat(check(Map.of()).status()).isEqualTo(Check.Status.SKIP);
    }

    @Test
    void onlyOneOfTheTwoFilesFails() {
        var files = TestCertificates.write(dir, "half", Duration.ofDays(-1), Duration.ofDays(90));
        Check check = check(Map.of("TLS_CERT_FILE", files.cert().toString()));
        assertThat(check.status()).isEqualTo(Check.Status.FAIL);
        assertThat(check.detail()).contains("TLS_KEY_FILE is not");
    }

    @Test
    void missingKeyFileFails() {
        var files = TestCertificates.write(dir, "nokey", Duration.ofDays(-1), Duration.ofDays(90));
        Check check = check(Map.of("TLS_CERT_FILE", files.cert().toString(), "TLS_KEY_FILE", dir.resolve("gone.key").toString()));
        assertThat(check.status()).isEqualTo(Check.Status.FAIL);
        assertThat(check.detail()).contains("TLS_KEY_FILE").contains("not a readable file");
    }

    @Test
    void keyGivenAsCertificateFailsWithoutPrintingTheKey() throws Exception {
        var files = TestCertificates.write(dir, "swapped", Duration.ofDays(-1), Duration.ofDays(90));
        Check check = check(Map.of("TLS_CERT_FILE", files.key().toString(), "TLS_KEY_FILE", files.key().toString()));
        assertThat(check.status()).isEqualTo(Check.Status.FAIL);
        assertThat(check.detail()).contains("is not an X.509 certificate");
        String keyBody = Files.readAllLines(files.key()).get(1);
        assertThat(check.line()).doesNotContain(keyBody);
    }
}
