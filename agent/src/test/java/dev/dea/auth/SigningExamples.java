package dev.dea.auth;

import java.nio.charset.StandardCharsets;

/**
 * The worked examples of docs/request-signing.md. {@link HmacSignerTest} checks that the
 * signer produces these signatures and that the document shows exactly these values, so
 * the document cannot drift from the code.
 */
final class SigningExamples {
    static final String SECRET = "dea-example-secret-0123456789abcdef-DO-NOT-USE";
    static final long TIMESTAMP = 1767225600L;

    static final String POST_METHOD = "POST";
    static final String POST_PATH = "/execute";
    static final String POST_QUERY = "";
    static final String POST_NONCE = "n0nce-2026-01-01-0001";
    static final String POST_BODY = "{\"language\":\"sql\",\"code\":\"SELECT count(*) AS films FROM film\"}";
    static final String POST_BODY_SHA256 = "53c205118048082dc7a4f3518886a4c8d41e8b99dda4f8342ddf334fe02c5c4d";
    static final String POST_SIGNATURE = "ac53a5ebde695e9aa9a1ad7a0bc426ea31eae0211f82ee2fd0710b357f40f219";

    static final String GET_METHOD = "GET";
    static final String GET_PATH = "/frames/0b5e3f4c-6a2d-4a8e-9f1b-2c7d8e9f0a1b/data";
    static final String GET_QUERY = "format=csv";
    static final String GET_NONCE = "n0nce-2026-01-01-0002";
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    static final String GET_SIGNATURE = "a75062776b371d7bf365d1af68e56a653d6e5569d233a2757aac89079be66ebf";

    private SigningExamples() {
    }

    static CanonicalRequest post() {
        return CanonicalRequest.of(POST_METHOD, POST_PATH, POST_QUERY, TIMESTAMP, POST_NONCE, POST_BODY.getBytes(StandardCharsets.UTF_8));
    }

    static CanonicalRequest get() {
        return CanonicalRequest.of(GET_METHOD, GET_PATH, GET_QUERY, TIMESTAMP, GET_NONCE, new byte[0]);
    }
}
