package dev.dea.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the PEM blocks of a certificate file and of a key file. Blocks of other kinds are
 * skipped, so one combined file (certificate and key) may serve as both. Failures are
 * {@link TlsFileException}s naming the variable and the file, never its content.
 */
final class PemFiles {
    /** Far above any real chain or key; a bigger file is a wrong path, not a certificate. */
    private static final long MAX_FILE_BYTES = 1L << 20;

    private PemFiles() {
    }

    /** Every CERTIFICATE block, in file order. */
    static List<X509Certificate> certificates(String variable, Path file) {
        List<X509Certificate> chain = new ArrayList<>();
        var converter = new JcaX509CertificateConverter();
        for (Object block : blocks(variable, file)) {
            if (block instanceof X509CertificateHolder holder) {
                try {
                    chain.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new TlsFileException(variable + " " + file + ": certificate #" + (chain.size() + 1)
                            + " could not be decoded (" + e.getMessage() + ")");
                }
            }
        }
        if (chain.isEmpty()) {
            throw new TlsFileException(variable + " " + file + " holds no PEM CERTIFICATE block"
                    + " (a DER file converts with: openssl x509 -inform der -in FILE -out FILE.pem)");
        }
        return List.copyOf(chain);
    }

    /** The one private key: PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY} or SEC1 {@code EC PRIVATE KEY}. */
    static PrivateKey privateKey(String variable, Path file) {
        List<PrivateKeyInfo> keys = new ArrayList<>();
        boolean certificates = false;
        for (Object block : blocks(variable, file)) {
            switch (block) {
                case PrivateKeyInfo info -> keys.add(info);
                case PEMKeyPair pair -> keys.add(pair.getPrivateKeyInfo());
                case PKCS8EncryptedPrivateKeyInfo ignored -> throw encrypted(variable, file);
                case PEMEncryptedKeyPair ignored -> throw encrypted(variable, file);
                case X509CertificateHolder ignored -> certificates = true;
                default -> {
                    // EC PARAMETERS, PUBLIC KEY and the like carry nothing the server needs.
                }
            }
        }
        if (keys.isEmpty()) {
            throw new TlsFileException(variable + " " + file + " holds no PEM private key (a PRIVATE KEY, RSA PRIVATE KEY or"
                    + " EC PRIVATE KEY block)" + (certificates ? "; it holds a certificate: are TLS_CERT_FILE and TLS_KEY_FILE swapped?" : ""));
        }
        if (keys.size() > 1) {
            throw new TlsFileException(variable + " " + file + " holds " + keys.size() + " private keys; keep only the certificate's own");
        }
        try {
            return new JcaPEMKeyConverter().getPrivateKey(keys.get(0));
        } catch (IOException | RuntimeException e) {
            // The converter's messages name the algorithm, never key bytes.
            throw new TlsFileException(variable + " " + file + ": the private key could not be decoded (" + e.getMessage() + ")");
        }
    }

    private static TlsFileException encrypted(String variable, Path file) {
        return new TlsFileException(variable + " " + file + " holds an encrypted private key; encrypted private keys are not"
                + " supported: decrypt it with 'openssl pkey -in " + file + " -out agent-key.pem' and protect that file"
                + " with its permissions (chmod 600, owned by the agent's user)");
    }

    private static List<Object> blocks(String variable, Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new TlsFileException(variable + " " + file + " is larger than 1 MiB: not a PEM certificate or key");
            }
            // PEM is ASCII; Latin-1 decodes any byte, so a binary file is reported as holding no block, not as a charset error.
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new TlsFileException(variable + " " + file + " could not be read: " + e.getMessage());
        }
        List<Object> blocks = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            Object block;
            while ((block = parser.readObject()) != null) {
                blocks.add(block);
            }
        } catch (IOException | RuntimeException e) {
            throw new TlsFileException(variable + " " + file + " is not valid PEM (" + e.getMessage() + ")");
        }
        return blocks;
    }
}
