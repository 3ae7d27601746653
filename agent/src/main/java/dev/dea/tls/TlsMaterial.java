package dev.dea.tls;

import dev.dea.config.ConfigException;
import dev.dea.config.TlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The agent's HTTPS identity, read once at start-up from {@link TlsConfig}'s PEM files:
 * the certificate chain (server certificate first) and its private key, checked to belong
 * together, held in an in-memory {@link KeyStore} for the HTTP server.
 */
public final class TlsMaterial {
    private static final Logger log = LoggerFactory.getLogger(TlsMaterial.class);
    public static final String ALIAS = "agent";
    private static final Duration EXPIRY_WARNING = Duration.ofDays(30);

    private final List<X509Certificate> chain;
    private final KeyStore keyStore;
    private final String keyStorePassword;

    private TlsMaterial(List<X509Certificate> chain, KeyStore keyStore, String keyStorePassword) {
        this.chain = chain;
        this.keyStore = keyStore;
        this.keyStorePassword = keyStorePassword;
    }

    /**
     * Reads and checks both files. Every failure is a {@link ConfigException} with one
     * problem that names the variable, the file and the fix, so start-up reports it like
     * any other configuration mistake.
     */
    public static TlsMaterial load(TlsConfig config) {
        try {
            List<X509Certificate> chain = PemFiles.certificates("TLS_CERT_FILE", config.certFile());
            PrivateKey key = PemFiles.privateKey("TLS_KEY_FILE", config.keyFile());
            checkBelongTogether(config, chain, key);
            // The password only satisfies the KeyStore API: the store never leaves memory.
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String password = Base64.getEncoder().encodeToString(random);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, password.toCharArray(), chain.toArray(X509Certificate[]::new));
            TlsMaterial material = new TlsMaterial(chain, store, password);
            material.logIdentity(config.keyFile());
            return material;
        } catch (TlsFileException e) {
            throw new ConfigException(List.of(e.getMessage()));
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException(List.of("TLS_KEY_FILE " + config.keyFile() + " and TLS_CERT_FILE " + config.certFile()
                    + " could not be put in a key store: " + e.getMessage()));
        }
    }

    public KeyStore keyStore() {
        return keyStore;
    }

    /** Unlocks {@link #keyStore()}'s entry; random per process, guards nothing outside memory. */
    public String keyStorePassword() {
        return keyStorePassword;
    }

    /** The server's own certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    public List<X509Certificate> chain() {
        return chain;
    }

    private static void checkBelongTogether(TlsConfig config, List<X509Certificate> chain, PrivateKey key) {
        if (matches(key, chain.get(0).getPublicKey())) {
            return;
        }
        for (int i = 1; i < chain.size(); i++) {
            if (matches(key, chain.get(i).getPublicKey())) {
                throw new TlsFileException("TLS_CERT_FILE " + config.certFile() + ": the private key belongs to certificate #"
                        + (i + 1) + ", not the first; put the server's certificate first, then its intermediates");
            }
        }
        throw new TlsFileException("TLS_KEY_FILE " + config.keyFile() + " does not match the certificate in TLS_CERT_FILE "
                + config.certFile() + " (" + key.getAlgorithm() + " key, certificate for " + describe(chain.get(0))
                + "): the key and the certificate are not a pair");
    }

    /** Signs a random challenge and verifies it with the certificate's key: works for every key type alike. */
    private static boolean matches(PrivateKey key, PublicKey certificateKey) {
        Optional<String> algorithm = signatureAlgorithm(key.getAlgorithm());
        if (algorithm.isEmpty() || !key.getAlgorithm().equals(certificateKey.getAlgorithm())) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm.get());
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm.get());
            verifier.initVerify(certificateKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static Optional<String> signatureAlgorithm(String keyAlgorithm) {
        return switch (keyAlgorithm) {
            case "RSA" -> Optional.of("SHA256withRSA");
            case "EC" -> Optional.of("SHA256withECDSA");
            case "Ed25519", "Ed448", "EdDSA" -> Optional.of(keyAlgorithm);
            default -> Optional.empty();
        };
    }

    private void logIdentity(Path keyFile) {
        X509Certificate leaf = certificate();
        Instant expires = leaf.getNotAfter().toInstant();
        log.info("HTTPS certificate {}, issued by {}, valid until {} ({} certificate(s) in the chain)",
                leaf.getSubjectX500Principal().getName(), leaf.getIssuerX500Principal().getName(), expires, chain.size());
        Instant now = Instant.now();
        if (expires.isBefore(now)) {
            log.warn("The HTTPS certificate expired on {}: clients that check it will refuse to connect", expires);
        } else if (expires.isBefore(now.plus(EXPIRY_WARNING))) {
            log.warn("The HTTPS certificate expires on {}, in less than {} days", expires, EXPIRY_WARNING.toDays());
        }
        if (leaf.getNotBefore().toInstant().isAfter(now)) {
            log.warn("The HTTPS certificate is not valid before {}", leaf.getNotBefore().toInstant());
        }
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(keyFile);
            if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
                log.warn("TLS_KEY_FILE {} is readable by every user of this machine; chmod 600 it", keyFile);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Not a POSIX file system: nothing to say about permissions.
        }
    }

    private static String describe(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }
}
