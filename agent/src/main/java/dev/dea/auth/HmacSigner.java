package dev.dea.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import static java.util.Objects.requireNonNull;

/** HMAC-SHA256 over a {@link CanonicalRequest}, keyed by the UTF-8 bytes of the shared secret. */
public final class HmacSigner {
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    public HmacSigner(String secret) {
        requireNonNull(secret, "secret");
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("the HMAC secret must not be empty");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /** The raw 32-byte MAC of the request's signing string. */
    public byte[] mac(CanonicalRequest request) {
        try {
            // Mac instances are not thread-safe; a fresh one per call is cheap next to a request.
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(request.signingString().getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by the JDK", e);
        }
    }

    /** The signature as it travels in {@code X-DEA-Signature}: 64 lowercase hex digits. */
    public String signatureHex(CanonicalRequest request) {
        return HexFormat.of().formatHex(mac(request));
    }

    public SignatureHeaders sign(CanonicalRequest request) {
        return new SignatureHeaders(request.timestamp(), request.nonce(), signatureHex(request));
    }

    @Override
    public String toString() {
        return "HmacSigner[secret=<redacted>]";
    }
}
