package dev.dea.tls;

import dev.dea.config.ConfigException;
import dev.dea.config.TlsConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.Key;
import java.security.KeyPair;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

import static dev.dea.testing.TestCertificates.EC_PARAMETERS;
import static dev.dea.testing.TestCertificates.ec;
import static dev.dea.testing.TestCertificates.encryptedPkcs8;
import static dev.dea.testing.TestCertificates.issue;
import static dev.dea.testing.TestCertificates.legacyEncrypted;
import static dev.dea.testing.TestCertificates.pem;
import static dev.dea.testing.TestCertificates.pkcs8;
import static dev.dea.testing.TestCertificates.rsa;
import static dev.dea.testing.TestCertificates.selfSigned;
import static dev.dea.testing.TestCertificates.pkcs1;
import static dev.dea.testing.TestCertificates.sec1;
import static dev.dea.testing.TestCertificates.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** PEM certificate chains and keys in the encodings operators have, and a clear refusal for the rest. */
class TlsMaterialTest {
    private static KeyPair rsaKeys;
    private static X509Certificate rsaCertificate;

    @TempDir
    Path dir;

    @BeforeAll
    static void makeKeys() {
        rsaKeys = rsa();
        rsaCertificate = selfSigned(rsaKeys, "agent.test");
    }

    @Test
    void loadsPkcs8RsaKey() throws Exception {
        String key = pkcs8(rsaKeys.getPrivate());
        assertThat(key).startsWith("-----BEGIN PRIVATE KEY-----");
        TlsMaterial material = load(pem(rsaCertificate), key);

        assertThat(material.certificate()).isEqualTo(rsaCertificate);
        assertThat(storedKey(material)).isEqualTo(rsaKeys.getPrivate());
        assertThat(material.keyStore().getCertificateChain(TlsMaterial.ALIAS)).containsExactly(rsaCertificate);
    }

    @Test
    void loadsPkcs1RsaKey() throws Exception {
        String key = pkcs1(rsaKeys.getPrivate());
        assertThat(key).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        TlsMaterial material = load(pem(rsaCertificate), key);

        assertThat(storedKey(material).getEncoded()).isEqualTo(rsaKeys.getPrivate().getEncoded());
    }

    @Test
    void loadsSec1EcKeyWithItsParametersBlock() throws Exception {
        KeyPair keys = ec();
        X509Certificate certificate = selfSigned(keys, "ec.agent.test");
        String key = sec1(keys);
        assertThat(key).startsWith("-----BEGIN EC PRIVATE KEY-----");
        TlsMaterial material = load(pem(certificate), EC_PARAMETERS + key);

        assertThat(storedKey(material).getAlgorithm()).isEqualTo("EC");
        assertThat(material.certificate()).isEqualTo(certificate);
    }

    @Test
    void loadsAChainWithTheServerCertificateFirst() throws Exception {
        KeyPair caKeys = rsa();
        X509Certificate ca = selfSigned(caKeys, "Test CA");
        X509Certificate leaf = issue(rsaKeys, "agent.test", caKeys, "Test CA", false);
        TlsMaterial material = load(pem(leaf, ca), pkcs8(rsaKeys.getPrivate()));

        assertThat(material.chain()).containsExactly(leaf, ca);
        Certificate[] stored = material.keyStore().getCertificateChain(TlsMaterial.ALIAS);
        assertThat(stored).containsExactly(leaf, ca);
    }

    @Test
    void loadsOneCombinedFileAsCertificateAndKey() {
        Path both = write(dir, "combined.pem", pem(rsaCertificate) + pkcs8(rsaKeys.getPrivate()));
        TlsMaterial material = TlsMaterial.load(new TlsConfig(both, both));
        assertThat(material.certificate()).isEqualTo(rsaCertificate);
    }

    @Test
    void refusesAKeyThatIsNotTheCertificatesOwn() {
        String otherKey = pkcs8(rsa().getPrivate());
        assertThat(failure(pem(rsaCertificate), otherKey))
                .contains("TLS_KEY_FILE", "does not match the certificate in TLS_CERT_FILE", "CN=agent.test");
    }

    @Test
    void refusesAnEcKeyForAnRsaCertificate() {
        assertThat(failure(pem(rsaCertificate), sec1(ec())))
                .contains("does not match the certificate", "EC key");
    }

    @Test
    void refusesAChainWhoseFirstCertificateIsNotTheServers() {
        KeyPair caKeys = rsa();
        X509Certificate ca = selfSigned(caKeys, "Test CA");
        X509Certificate leaf = issue(rsaKeys, "agent.test", caKeys, "Test CA", false);
        assertThat(failure(pem(ca, leaf), pkcs8(rsaKeys.getPrivate())))
                .contains("belongs to certificate #2, not the first", "server's certificate first");
    }

    @Test
    void refusesAnEncryptedPkcs8KeyWithTheCommandToDecryptIt() {
        String key = encryptedPkcs8(rsaKeys.getPrivate());
        assertThat(key).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        assertThat(failure(pem(rsaCertificate), key))
                .contains("TLS_KEY_FILE", "encrypted private keys are not supported", "openssl pkey -in ");
    }

    @Test
    void refusesALegacyEncryptedKeyWithTheCommandToDecryptIt() {
        String key = legacyEncrypted(rsaKeys.getPrivate());
        assertThat(key).contains("Proc-Type: 4,ENCRYPTED");
        assertThat(failure(pem(rsaCertificate), key)).contains("encrypted private keys are not supported", "openssl pkey");
    }

    @Test
    void refusesACertificateFileWithoutCertificates() {
        assertThat(failure("this is not a certificate\n", pkcs8(rsaKeys.getPrivate())))
                .contains("TLS_CERT_FILE", "holds no PEM CERTIFICATE block");
    }

    @Test
    void refusesAKeyFileWithoutAKey() {
        assertThat(failure(pem(rsaCertificate), "garbage\n\u0000\u0001binary"))
                .contains("TLS_KEY_FILE", "holds no PEM private key");
    }

    @Test
    void refusesACorruptPemBlock() {
        String broken = "-----BEGIN CERTIFICATE-----\nnot*base64*at*all\n-----END CERTIFICATE-----\n";
        assertThat(failure(broken, pkcs8(rsaKeys.getPrivate()))).contains("TLS_CERT_FILE", "is not valid PEM");
    }

    @Test
    void pointsOutSwappedFiles() {
        assertThat(failure(pem(rsaCertificate), pem(rsaCertificate))).contains("are TLS_CERT_FILE and TLS_KEY_FILE swapped?");
    }

    private TlsMaterial load(String certificates, String key) {
        return TlsMaterial.load(new TlsConfig(write(dir, "cert.pem", certificates), write(dir, "key.pem", key)));
    }

    private String failure(String certificates, String key) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(certificates, key));
        assertThat(e).as("loading must fail").isNotNull();
        assertThat(e.problems()).hasSize(1);
        // Key material never reaches a message: no base64 body of the key file.
        for (String line : key.lines().filter(l -> l.length() > 40).toList()) {
            assertThat(e.getMessage()).doesNotContain(line);
        }
        return e.problems().get(0);
    }

    private static Key storedKey(TlsMaterial material) throws Exception {
        return material.keyStore().getKey(TlsMaterial.ALIAS, material.keyStorePassword().toCharArray());
    }
}
