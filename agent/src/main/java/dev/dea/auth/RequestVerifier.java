package dev.dea.auth;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Verifies an HMAC-signed request (docs/request-signing.md): headers present and well
 * formed, timestamp within the window, signature made with an accepted secret, nonce never
 * seen. Cheap checks come first, so an unsigned caller never makes the agent read a body.
 * A nonce is recorded only once the signature verified: otherwise anyone could burn the
 * nonces of requests they cannot sign.
 *
 * <p>Authentication failures are {@link ErrorType#UNAUTHORIZED}; a full nonce cache is
 * {@link ErrorType#TOO_MANY_REQUESTS} with a retry hint.
 */
public final class RequestVerifier {
    private static final Logger log = LoggerFactory.getLogger(RequestVerifier.class);
    /** Twelve digits reach the year 33658; no leading zero, so the signed text has one spelling. */
    private static final Pattern TIMESTAMP_FORMAT = Pattern.compile("0|[1-9][0-9]{0,11}");
    private static final Pattern SIGNATURE_FORMAT = Pattern.compile("[0-9a-fA-F]{64}");

    private final List<HmacSigner> signers;
    private final Duration maxAge;
    private final NonceCache nonces;
    private final Clock clock;

    public RequestVerifier(List<String> secrets, Duration maxAge, NonceCache nonces, Clock clock) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one HMAC secret is needed");
        }
        this.signers = secrets.stream().map(HmacSigner::new).toList();
        this.maxAge = maxAge;
        this.nonces = nonces;
        this.clock = clock;
    }

    /**
     * @param query  the raw query string, or null when there is none
     * @param header looks a request header up by name; null when absent
     * @param body   the raw body bytes, read only once the cheap checks passed
     */
    public void verify(String method, String path, String query, Function<String, String> header, Supplier<byte[]> body) {
        String signatureText = required(header, SignatureHeaders.SIGNATURE);
        String timestampText = required(header, SignatureHeaders.TIMESTAMP);
        String nonce = required(header, SignatureHeaders.NONCE);
        if (!TIMESTAMP_FORMAT.matcher(timestampText).matches()) {
            throw unauthorized(SignatureHeaders.TIMESTAMP + " must be unix time in whole seconds (digits, no leading zero)");
        }
        if (!SignatureHeaders.NONCE_FORMAT.matcher(nonce).matches()) {
            throw unauthorized(SignatureHeaders.NONCE + " must be 16 to 128 characters of A-Z, a-z, 0-9, '_' and '-'");
        }
        if (!SIGNATURE_FORMAT.matcher(signatureText).matches()) {
            throw unauthorized(SignatureHeaders.SIGNATURE + " must be 64 hexadecimal digits (HMAC-SHA256)");
        }
        long timestamp = Long.parseLong(timestampText);
        long now = clock.instant().getEpochSecond();
        if (Math.abs(now - timestamp) > maxAge.toSeconds()) {
            throw outsideWindow(timestamp);
        }

        CanonicalRequest canonical = CanonicalRequest.of(method, path, query, timestamp, nonce, body.get());
        byte[] presented = HexFormat.of().parseHex(signatureText);
        boolean matches = false;
        // Every accepted secret is tried, so a rotation adds no timing signal.
        for (HmacSigner signer : signers) {
            matches |= MessageDigest.isEqual(signer.mac(canonical), presented);
        }
        if (!matches) {
            throw unauthorized("signature does not match");
        }

        switch (nonces.record(nonce, timestamp + maxAge.toSeconds())) {
            case RECORDED -> {
            }
            case REPLAYED -> throw unauthorized("nonce already used (replayed request)");
            // The body took long enough that the timestamp left the window after the check
            // above; the cache may already have forgotten the nonce, so accepting it could
            // run a replay.
            case EXPIRED -> throw outsideWindow(timestamp);
            case FULL -> {
                long retry = nonces.secondsUntilRoom();
                log.warn("Refusing a signed request: {} unexpired nonces fill the nonce cache (HMAC_NONCE_CACHE_SIZE)",
                        nonces.capacity());
                throw new AgentException(ErrorType.TOO_MANY_REQUESTS, "too many signed requests within "
                        + maxAge.toSeconds() + " s: the agent remembers at most " + nonces.capacity()
                        + " nonces (HMAC_NONCE_CACHE_SIZE); retry after " + retry + " s",
                        Map.of("retry_after_seconds", retry), null);
            }
        }
    }

    private static String required(Function<String, String> header, String name) {
        String value = header.apply(name);
        if (value == null || value.isBlank()) {
            throw unauthorized("missing " + name + "; requests must be signed as described in docs/request-signing.md");
        }
        return value.strip();
    }

    private AgentException outsideWindow(long timestamp) {
        return unauthorized("timestamp outside the allowed window of " + maxAge.toSeconds()
                + " s; check the caller's clock (agent time " + clock.instant().getEpochSecond() + ", "
                + SignatureHeaders.TIMESTAMP + " " + timestamp + ")");
    }

    private static AgentException unauthorized(String message) {
        return new AgentException(ErrorType.UNAUTHORIZED, message);
    }
}
