package dev.dea.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static java.util.Objects.requireNonNull;

/**
 * What a signature covers, one field a line:
 * {@code METHOD\nPATH\nQUERY\nTIMESTAMP\nNONCE\nSHA256_HEX(body)}. {@code path} and
 * {@code query} are the raw, still percent-encoded text of the request line ({@code query}
 * empty when there is none); the body is hashed as its exact bytes.
 */
public record CanonicalRequest(String method, String path, String query, long timestamp, String nonce, String bodySha256Hex) {

    public CanonicalRequest {
        requireNonNull(method, "method");
        requireNonNull(path, "path");
        requireNonNull(query, "query");
        requireNonNull(nonce, "nonce");
        requireNonNull(bodySha256Hex, "bodySha256Hex");
        // A line break inside a field would let two different requests share one canonical string.
        for (String field : new String[] {method, path, query, nonce}) {
            if (field.indexOf('\n') >= 0 || field.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("a signed field must not contain a line break");
            }
        }
    }

    public static CanonicalRequest of(String method, String path, String query, long timestamp, String nonce, byte[] body) {
        return new CanonicalRequest(method, path, query == null ? "" : query, timestamp, nonce, sha256Hex(body));
    }

    /** The exact text that is signed (UTF-8). */
    public String signingString() {
        return method + '\n' + path + '\n' + query + '\n' + timestamp + '\n' + nonce + '\n' + bodySha256Hex;
    }

    static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JDK", e);
        }
    }
}
