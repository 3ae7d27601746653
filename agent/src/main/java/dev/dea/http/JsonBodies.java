package dev.dea.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads request bodies with a size bound and turns every malformed input into a
 * specific 400/413 message: routes never see a half-parsed body and callers never see
 * a stack trace.
 */
final class JsonBodies {
    private final ObjectMapper mapper;
    private final long maxBytes;
    private final Duration timeout;

    /** {@code timeout}: REQUEST_BODY_TIMEOUT_SECONDS, the most a whole body may take to arrive. */
    JsonBodies(ObjectMapper mapper, long maxBytes, Duration timeout) {
        this.mapper = mapper;
        this.maxBytes = maxBytes;
        this.timeout = timeout;
    }

    /** Excess read and dropped before a 413, so the client is not cut off mid-send and sees the answer. */
    static final long DRAIN_LIMIT = 8L << 20;

    /** Where the bytes read by {@link #bytes} are kept, so the body is read from the stream once. */
    private static final String RAW_BODY = "dea.rawBody";

    /** Where {@link ApiRoutes} leaves the fields the route's body documents, for {@link #object}. */
    private static final String ACCEPTED_FIELDS = "dea.acceptedFields";

    /** The body of this request, read by {@link #object}, may hold only {@code fields} ({@code where} names the route). */
    static void acceptOnly(Context ctx, String where, Set<String> fields) {
        ctx.attribute(ACCEPTED_FIELDS, new AcceptedFields(where, fields));
    }

    private record AcceptedFields(String where, Set<String> fields) {
    }

    /**
     * Unknown fields are refused, not ignored: a misspelled optional field (input_keys for
     * cache_keys) would otherwise change the request's meaning without a word.
     */
    static void checkFields(JsonNode body, String where, Set<String> accepted) {
        Set<String> unknown = new TreeSet<>();
        body.fieldNames().forEachRemaining(name -> {
            if (!accepted.contains(name)) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            throw AgentException.unknownNames("field", "the body of " + where, unknown, accepted);
        }
    }

    JsonNode object(Context ctx) {
        byte[] body = bytes(ctx);
        if (body.length == 0) {
            throw AgentException.validation("The request body is empty; send a JSON object");
        }
        JsonNode node;
        try {
            // A repeated field would silently keep its last value, as an unknown one would be ignored: refused alike.
            node = mapper.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION).readTree(body);
        } catch (JsonProcessingException e) {
            // Jackson's stream constraints (nesting depth, number and string lengths) fail without a location.
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw AgentException.validation("The request body is not valid JSON: " + e.getOriginalMessage() + where);
        } catch (IOException e) {
            throw AgentException.validation("The request body could not be read: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw AgentException.validation("The request body must be a JSON object");
        }
        AcceptedFields accepted = ctx.attribute(ACCEPTED_FIELDS);
        if (accepted != null) {
            checkFields(node, accepted.where(), accepted.fields());
        }
        return node;
    }

    /**
     * The raw body, at most {@code maxBytes} (413 beyond), read once per request: HMAC
     * verification hashes it before the route parses it.
     */
    byte[] bytes(Context ctx) {
        byte[] cached = ctx.attribute(RAW_BODY);
        if (cached != null) {
            return cached;
        }
        long declared = ctx.req().getContentLengthLong();
        byte[] body;
        BodyDeadline deadline = BodyDeadline.start(ctx.req(), timeout);
        try (deadline; InputStream in = ctx.req().getInputStream()) {
            if (declared > maxBytes) {
                // As much as the path without a Content-Length reads: the body up to the limit, then the drain.
                // Reading only DRAIN_LIMIT of an 11 MiB body closed the connection on a client still sending.
                drain(in, maxBytes + DRAIN_LIMIT);
                throw tooLarge();
            }
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (body.length > maxBytes) {
                drain(in);
                throw tooLarge();
            }
        } catch (IOException e) {
            if (deadline.expired()) {
                throw timedOut();
            }
            throw AgentException.validation("The request body could not be read: " + e.getMessage());
        }
        ctx.attribute(RAW_BODY, body);
        return body;
    }

    /**
     * The body as a stream: the bytes already read (HMAC verification hashes them, within
     * MAX_REQUEST_BYTES) or else the request's own stream, unread, for a route that bounds it itself.
     */
    static InputStream stream(Context ctx) throws IOException {
        byte[] cached = ctx.attribute(RAW_BODY);
        return cached != null ? new java.io.ByteArrayInputStream(cached) : ctx.req().getInputStream();
    }

    /** Reads and drops up to DRAIN_LIMIT of a refused body, so the client sees the answer rather than a reset. */
    static void drain(InputStream in) throws IOException {
        drain(in, DRAIN_LIMIT);
    }

    private static void drain(InputStream in, long limit) throws IOException {
        // Beyond the drain limit the connection is simply closed: reading gigabytes to be polite is a DoS vector.
        long left = limit;
        byte[] buffer = new byte[64 * 1024];
        int n;
        while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
            left -= n;
        }
    }

    private AgentException timedOut() {
        return new AgentException(ErrorType.REQUEST_TIMEOUT, "The request body did not arrive within "
                + timeout.toSeconds() + " s (REQUEST_BODY_TIMEOUT_SECONDS); the connection is closed");
    }

    private AgentException tooLarge() {
        return new AgentException(ErrorType.PAYLOAD_TOO_LARGE,
                "The request body exceeds the limit of " + maxBytes + " bytes (MAX_REQUEST_BYTES)");
    }

    static String requiredString(JsonNode body, String field, int maxLength) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw AgentException.validation("Field '" + field + "' is required");
        }
        if (!v.isTextual()) {
            throw AgentException.validation("Field '" + field + "' must be a string, got " + describe(v));
        }
        String s = v.textValue();
        if (s.isBlank()) {
            throw AgentException.validation("Field '" + field + "' must not be blank");
        }
        if (s.length() > maxLength) {
            // The body was within MAX_REQUEST_BYTES (else 413): this is a field the caller made too long.
            throw AgentException.validation("Field '" + field + "' is " + s.length() + " characters; the limit is " + maxLength);
        }
        return s;
    }

    static Optional<Integer> optionalInt(JsonNode body, String field, int min, int max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw AgentException.validation("Field '" + field + "' must be an integer, got " + describe(v));
        }
        int i = v.intValue();
        if (i < min || i > max) {
            throw AgentException.validation("Field '" + field + "' must be between " + min + " and " + max + ", got " + i);
        }
        return Optional.of(i);
    }

    static String describe(JsonNode v) {
        return switch (v.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case STRING -> "a string";
            case NULL, MISSING -> "null";
            case BINARY -> "binary";
        };
    }
}
