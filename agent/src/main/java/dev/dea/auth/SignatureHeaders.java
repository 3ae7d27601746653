package dev.dea.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/** The three headers of a signed request, as they travel. */
public record SignatureHeaders(long timestamp, String nonce, String signature) {
    public static final String TIMESTAMP = "X-DEA-Timestamp";
    public static final String NONCE = "X-DEA-Nonce";
    public static final String SIGNATURE = "X-DEA-Signature";

    /** Long enough to be unique when random, short enough to keep the nonce cache small. */
    public static final Pattern NONCE_FORMAT = Pattern.compile("[A-Za-z0-9_-]{16,128}");

    public SignatureHeaders {
        requireNonNull(nonce, "nonce");
        requireNonNull(signature, "signature");
    }

    /** Header name to value, in the order above. */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(TIMESTAMP, Long.toString(timestamp));
        m.put(NONCE, nonce);
        m.put(SIGNATURE, signature);
        return m;
    }
}
