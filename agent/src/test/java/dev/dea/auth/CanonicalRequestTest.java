package dev.dea.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CanonicalRequestTest {
    @Test
    void joinsTheSixFieldsWithNewlinesAndNoTrailingNewline() {
        assertThat(SigningExamples.post().signingString()).isEqualTo("POST\n/execute\n\n1767225600\nn0nce-2026-01-01-0001\n"
                + SigningExamples.POST_BODY_SHA256);
    }

    @Test
    void keepsPathAndQueryExactlyAsSent() {
        var r = CanonicalRequest.of("GET", "/schema/my%20table/profile", "b=2&a=1&x=%2F", 1, "abcdefghijklmnop", new byte[0]);
        assertThat(r.signingString()).startsWith("GET\n/schema/my%20table/profile\nb=2&a=1&x=%2F\n1\n");
    }

    @Test
    void anAbsentQueryIsAnEmptyLine() {
        var r = CanonicalRequest.of("GET", "/schema", null, 1, "abcdefghijklmnop", new byte[0]);
        assertThat(r.signingString()).isEqualTo("GET\n/schema\n\n1\nabcdefghijklmnop\n" + SigningExamples.EMPTY_SHA256);
    }

    @Test
    void hashesTheExactBodyBytes() {
        byte[] crlf = "{\"a\":1}\r\n".getBytes(StandardCharsets.UTF_8);
        byte[] lf = "{\"a\":1}\n".getBytes(StandardCharsets.UTF_8);
        assertThat(CanonicalRequest.of("POST", "/x", "", 1, "abcdefghijklmnop", crlf).bodySha256Hex())
                .isNotEqualTo(CanonicalRequest.of("POST", "/x", "", 1, "abcdefghijklmnop", lf).bodySha256Hex());
        assertThat(SigningExamples.get().bodySha256Hex()).isEqualTo(SigningExamples.EMPTY_SHA256);
    }

    @Test
    void refusesLineBreaksThatWouldMakeTwoRequestsLookAlike() {
        assertThatThrownBy(() -> CanonicalRequest.of("GET", "/a\n", "", 1, "abcdefghijklmnop", new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanonicalRequest.of("GET", "/a", "q=1\r", 1, "abcdefghijklmnop", new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
