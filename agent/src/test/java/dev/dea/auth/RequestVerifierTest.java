package dev.dea.auth;

import dev.dea.testing.ManualClock;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestVerifierTest {
    private static final String PREVIOUS = "the-previous-secret-0123456789abcdefgh";
    private static final byte[] BODY = SigningExamples.POST_BODY.getBytes(StandardCharsets.UTF_8);

    private final ManualClock clock = new ManualClock(SigningExamples.TIMESTAMP);
    private final NonceCache nonces = new NonceCache(100, clock);
    private final RequestVerifier verifier = new RequestVerifier(List.of(SigningExamples.SECRET, PREVIOUS),
            Duration.ofSeconds(300), nonces, clock);

    private static Map<String, String> headers(long timestamp, String nonce, String signature) {
        Map<String, String> h = new HashMap<>();
        h.put("X-DEA-Timestamp", Long.toString(timestamp));
        h.put("X-DEA-Nonce", nonce);
        h.put("X-DEA-Signature", signature);
        return h;
    }

    private static Map<String, String> signed(String secret, long timestamp, String nonce, String path, byte[] body) {
        var request = CanonicalRequest.of("POST", path, "", timestamp, nonce, body);
        return headers(timestamp, nonce, new HmacSigner(secret).signatureHex(request));
    }

    private void verify(Map<String, String> headers, byte[] body) {
        verifier.verify("POST", "/execute", null, headers::get, () -> body);
    }

    private static Supplier<byte[]> bodyMustNotBeRead() {
        return () -> {
            throw new AssertionError("the body was read before the cheap checks passed");
        };
    }

    @Test
    void acceptsTheDocumentedExample() {
        var h = headers(SigningExamples.TIMESTAMP, SigningExamples.POST_NONCE, SigningExamples.POST_SIGNATURE);
        assertThatCode(() -> verify(h, BODY)).doesNotThrowAnyException();
    }

    @Test
    void rejectsAReplayedRequest() {
        var h = headers(SigningExamples.TIMESTAMP, SigningExamples.POST_NONCE, SigningExamples.POST_SIGNATURE);
        verify(h, BODY);
        assertUnauthorized(() -> verify(h, BODY), "nonce already used (replayed request)");
    }

    @Test
    void rejectsAReplayWhoseBodyArrivesAfterTheWindowClosed() {
        var h = headers(SigningExamples.TIMESTAMP, SigningExamples.POST_NONCE, SigningExamples.POST_SIGNATURE);
        verify(h, BODY);
        // The captured request is replayed at the last second of its window, its body trickled over a second.
        clock.advanceSeconds(300);
        Supplier<byte[]> slowBody = () -> {
            clock.advanceSeconds(1);
            return BODY;
        };
        assertUnauthorized(() -> verifier.verify("POST", "/execute", null, h::get, slowBody),
                "timestamp outside the allowed window of 300 s");
    }

    @Test
    void acceptsARequestWhoseBodyArrivesWhileTheTimestampIsStillInTheWindow() {
        var h = headers(SigningExamples.TIMESTAMP, SigningExamples.POST_NONCE, SigningExamples.POST_SIGNATURE);
        clock.advanceSeconds(299);
        assertThatCode(() -> verifier.verify("POST", "/execute", null, h::get, () -> {
            clock.advanceSeconds(1);
            return BODY;
        })).doesNotThrowAnyException();
        assertUnauthorized(() -> verify(h, BODY), "nonce already used (replayed request)");
    }

    @Test
    void namesTheMissingHeaderWithoutReadingTheBody() {
        var h = headers(SigningExamples.TIMESTAMP, SigningExamples.POST_NONCE, SigningExamples.POST_SIGNATURE);
        for (String name : List.of("X-DEA-Signature", "X-DEA-Timestamp", "X-DEA-Nonce")) {
            Map<String, String> missing = new HashMap<>(h);
            missing.remove(name);
            assertUnauthorized(() -> verifier.verify("POST", "/execute", null, missing::get, bodyMustNotBeRead()), "missing " + name);
        }
    }

    @Test
    void rejectsMalformedHeaders() {
        long ts = SigningExamples.TIMESTAMP;
        String sig = SigningExamples.POST_SIGNATURE;
        Map<String, String> badTimestamp = headers(ts, SigningExamples.POST_NONCE, sig);
        badTimestamp.put("X-DEA-Timestamp", "2026-01-01T00:00:00Z");
        assertUnauthorized(() -> verifier.verify("POST", "/execute", null, badTimestamp::get, bodyMustNotBeRead()),
                "X-DEA-Timestamp must be unix time");
        assertUnauthorized(() -> verifier.verify("POST", "/execute", null, headers(ts, "short", sig)::get, bodyMustNotBeRead()),
                "X-DEA-Nonce must be 16 to 128 characters");
        assertUnauthorized(() -> verifier.verify("POST", "/execute", null, headers(ts, "has spaces in it, 16+", sig)::get,
                bodyMustNotBeRead()), "X-DEA-Nonce must be");
        assertUnauthorized(() -> verifier.verify("POST", "/execute", null, headers(ts, SigningExamples.POST_NONCE, "abc")::get,
                bodyMustNotBeRead()), "X-DEA-Signature must be 64 hexadecimal digits");
    }

    @Test
    void acceptsTimestampsUpToTheMaxAgeEitherWay() {
        long now = SigningExamples.TIMESTAMP;
        assertThatCode(() -> verify(signed(SigningExamples.SECRET, now - 300, "nonce-past-edge-0001", "/execute", BODY), BODY))
                .doesNotThrowAnyException();
        assertThatCode(() -> verify(signed(SigningExamples.SECRET, now + 300, "nonce-future-edge-01", "/execute", BODY), BODY))
                .doesNotThrowAnyException();
        String message = "timestamp outside the allowed window of 300 s; check the caller's clock";
        assertUnauthorized(() -> verifier.verify("POST", "/execute", null,
                signed(SigningExamples.SECRET, now - 301, "nonce-too-old-000001", "/execute", BODY)::get, bodyMustNotBeRead()), message);
        assertUnauthorized(() -> verifier.verify("POST", "/execute", null,
                signed(SigningExamples.SECRET, now + 301, "nonce-too-new-000001", "/execute", BODY)::get, bodyMustNotBeRead()), message);
    }

    @Test
    void rejectsATamperedBodyOrPath() {
        var h = signed(SigningExamples.SECRET, SigningExamples.TIMESTAMP, "nonce-tamper-000001", "/execute", BODY);
        assertUnauthorized(() -> verify(h, "{\"language\":\"sql\",\"code\":\"SELECT 2\"}".getBytes(StandardCharsets.UTF_8)),
                "signature does not match");
        assertUnauthorized(() -> verifier.verify("POST", "/execute-on-data", null, h::get, () -> BODY), "signature does not match");
        assertUnauthorized(() -> verifier.verify("POST", "/execute", "a=1", h::get, () -> BODY), "signature does not match");
    }

    @Test
    void aForgedRequestDoesNotBurnTheNonce() {
        String nonce = "nonce-not-burned-0001";
        var forged = headers(SigningExamples.TIMESTAMP, nonce, "0".repeat(64));
        assertUnauthorized(() -> verify(forged, BODY), "signature does not match");
        assertThatCode(() -> verify(signed(SigningExamples.SECRET, SigningExamples.TIMESTAMP, nonce, "/execute", BODY), BODY))
                .doesNotThrowAnyException();
    }

    @Test
    void acceptsThePreviousSecretDuringARotationAndUppercaseHex() {
        var h = signed(PREVIOUS, SigningExamples.TIMESTAMP, "nonce-previous-00001", "/execute", BODY);
        h.put("X-DEA-Signature", h.get("X-DEA-Signature").toUpperCase(Locale.ROOT));
        assertThatCode(() -> verify(h, BODY)).doesNotThrowAnyException();
    }

    @Test
    void aFullNonceCacheIsTooManyRequestsWithARetryHint() {
        RequestVerifier small = new RequestVerifier(List.of(SigningExamples.SECRET), Duration.ofSeconds(300),
                new NonceCache(1, clock), clock);
        long ts = SigningExamples.TIMESTAMP;
        small.verify("POST", "/execute", null, signed(SigningExamples.SECRET, ts, "nonce-first-0000001", "/execute", BODY)::get, () -> BODY);
        assertThatThrownBy(() -> small.verify("POST", "/execute", null,
                signed(SigningExamples.SECRET, ts, "nonce-second-000001", "/execute", BODY)::get, () -> BODY))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.type()).isEqualTo(ErrorType.TOO_MANY_REQUESTS);
                    assertThat(e.getMessage()).contains("HMAC_NONCE_CACHE_SIZE");
                    assertThat(e.details()).containsEntry("retry_after_seconds", 301L);
                });
    }

    @Test
    void neverPutsTheSecretInAMessage() {
        var h = headers(SigningExamples.TIMESTAMP, "nonce-message-000001", "0".repeat(64));
        assertThatThrownBy(() -> verify(h, BODY)).satisfies(e -> assertThat(e.getMessage())
                .doesNotContain(SigningExamples.SECRET).doesNotContain(PREVIOUS));
    }

    private static void assertUnauthorized(Runnable call, String messagePart) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.type()).isEqualTo(ErrorType.UNAUTHORIZED);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }
}
