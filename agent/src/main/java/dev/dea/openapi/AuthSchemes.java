package dev.dea.openapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How callers authenticate, as OpenAPI security schemes: the bearer token, and the signed
 * requests of {@code AUTH_MODE=hmac} as the three headers they carry. This is the one place
 * to edit when the authentication modes change; operations only say whether they are public.
 */
final class AuthSchemes {
    static final String BEARER = "bearerAuth";
    static final String HMAC_TIMESTAMP = "hmacTimestamp";
    static final String HMAC_NONCE = "hmacNonce";
    static final String HMAC_SIGNATURE = "hmacSignature";
    private static final String WHEN_HMAC = "Only when the agent runs with AUTH_MODE=hmac: ";

    private AuthSchemes() {
    }

    static ObjectNode schemes(ObjectMapper mapper) {
        ObjectNode schemes = mapper.createObjectNode();
        schemes.putObject(BEARER).put("type", "http").put("scheme", "bearer")
                .put("description", "`Authorization: Bearer <AGENT_SECRET_TOKEN>` (or AGENT_PREVIOUS_TOKEN during a "
                        + "rotation). Repeated failures from one address are answered with 429 for AUTH_BLOCK_SECONDS.");
        header(schemes, HMAC_TIMESTAMP, "X-DEA-Timestamp", WHEN_HMAC + "the time the request was signed.");
        header(schemes, HMAC_NONCE, "X-DEA-Nonce", WHEN_HMAC + "a value never reused, so a request cannot be replayed.");
        header(schemes, HMAC_SIGNATURE, "X-DEA-Signature", WHEN_HMAC + "the HMAC of the request with the shared secret.");
        return schemes;
    }

    private static void header(ObjectNode schemes, String id, String header, String description) {
        schemes.putObject(id).put("type", "apiKey").put("in", "header").put("name", header).put("description", description);
    }

    /** Alternatives: the bearer token, or (AUTH_MODE=hmac) the three signature headers together. */
    static ArrayNode requirements(ObjectMapper mapper) {
        ArrayNode any = mapper.createArrayNode();
        any.addObject().putArray(BEARER);
        ObjectNode hmac = any.addObject();
        hmac.putArray(HMAC_TIMESTAMP);
        hmac.putArray(HMAC_NONCE);
        hmac.putArray(HMAC_SIGNATURE);
        return any;
    }
}
