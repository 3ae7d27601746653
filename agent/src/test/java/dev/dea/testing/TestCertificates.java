package dev.dea.testing;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Certificates and keys made at test time with BouncyCastle, and the PEM files the agent
 * reads, in each of the encodings it must accept or refuse. Certificates name
 * {@code localhost} and {@code 127.0.0.1}, so a client that checks host names accepts them.
 */
public final class TestCertificates {
    /** An SEC1 EC key as openssl writes it: its curve (prime256v1) in a block of its own first. */
    public static final String EC_PARAMETERS = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestCertificates() {
    }

    public static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ec() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static X509Certificate selfSigned(KeyPair keys, String commonName) {
        return issue(keys, commonName, keys, commonName, true);
    }

    /** A server certificate for {@code subject}, signed by {@code issuer}'s key, valid from 5 minutes ago for 2 days. */
    public static X509Certificate issue(KeyPair subject, String commonName, KeyPair issuer, String issuerName, boolean ca) {
        return issue(subject, commonName, issuer, issuerName, ca, Duration.ofMinutes(-5), Duration.ofDays(2));
    }

    /** Files holding a certificate and its PKCS#8 key. */
    public record PemPair(Path cert, Path key) {
    }

    /** A self-signed EC certificate valid from {@code now + from} to {@code now + to} (negative: the past), and its key. */
    public static PemPair writeSelfSigned(Path dir, String commonName, Duration from, Duration to) {
        KeyPair keys = ec();
        X509Certificate cert = issue(keys, commonName, keys, commonName, false, from, to);
        return new PemPair(write(dir, commonName + ".crt", pem(cert)), write(dir, commonName + ".key", pkcs8(keys.getPrivate())));
    }

    private static X509Certificate issue(KeyPair subject, String commonName, KeyPair issuer, String issuerName, boolean ca,
                                         Duration from, Duration to) {
        try {
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=" + issuerName),
                    new BigInteger(64, RANDOM), Date.from(now.plus(from)), Date.from(now.plus(to)),
                    new X500Name("CN=" + commonName), subject.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                    new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            String algorithm = issuer.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            var signer = new JcaContentSignerBuilder(algorithm).build(issuer.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** PKCS#1 {@code RSA PRIVATE KEY}, what {@code openssl genrsa} and older openssl versions write. */
    public static String pkcs1(PrivateKey rsaKey) {
        return pem(rsaKey);
    }

    /**
     * SEC1 {@code EC PRIVATE KEY} with its curve and public key inside, as {@code openssl ecparam -genkey}
     * writes it (BouncyCastle's writer would leave the curve out for a JDK key, which openssl never does).
     */
    public static String sec1(KeyPair ecKeys) {
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(ecKeys.getPrivate().getEncoded());
            ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
            var publicKey = SubjectPublicKeyInfo.getInstance(ecKeys.getPublic().getEncoded()).getPublicKeyData();
            ECPrivateKey sec1 = new ECPrivateKey(256, inner.getKey(), publicKey, info.getPrivateKeyAlgorithm().getParameters());
            return pem(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PKCS#8 {@code PRIVATE KEY}, what {@code openssl genpkey} writes. */
    public static String pkcs8(PrivateKey key) {
        try {
            return pem(new JcaPKCS8Generator(key, null));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** PKCS#8 {@code ENCRYPTED PRIVATE KEY}. */
    public static String encryptedPkcs8(PrivateKey key) {
        try {
            // The JDK's own providers lack openssl's PEM ciphers; BouncyCastle's is used here only, unregistered.
            var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC).setProvider(new BouncyCastleProvider())
                    .setPassword("secret-passphrase".toCharArray()).build();
            return pem(new JcaPKCS8Generator(key, encryptor));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A traditional key with openssl's {@code Proc-Type: 4,ENCRYPTED} header. */
    public static String legacyEncrypted(PrivateKey key) {
        try {
            var encryptor = new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(new BouncyCastleProvider()).build("secret-passphrase".toCharArray());
            return pem(new JcaMiscPEMGenerator(key, encryptor));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                if (object instanceof PemObjectGenerator generator) {
                    writer.writeObject(generator);
                } else {
                    writer.writeObject(object);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    public static Path write(Path dir, String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client context that trusts exactly {@code certificate}. */
    public static SSLContext trusting(X509Certificate certificate) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("agent", certificate);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), RANDOM);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
