package dev.dea.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.slf4j.event.KeyValuePair;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One flat JSON object per line:
 * {@code {"timestamp":"2026-06-15T10:55:10.501Z","level":"INFO","logger":"dev.dea.access","thread":"...",
 * "message":"...", <key-value pairs and MDC entries as fields>, "error":"...", "stack":"..."}}.
 *
 * <p>Why not logback's own {@code JsonEncoder} (1.5, tried with context, sequence numbers,
 * nanoseconds and arguments switched off): it nests the key-value pairs as
 * {@code "kvpList":[{"status":"200"},...]}, a list of one-entry objects with every value a
 * string, writes the time as epoch milliseconds and a stack trace as one object per
 * frame, and always adds {@code "mdc": {}} and {@code "throwable":null}. Log pipelines
 * (Loki, Elasticsearch, CloudWatch) want top-level fields with numbers as numbers; this
 * encoder writes exactly that, with Jackson's escaping (a message with newlines stays on
 * one line). Measured: an access-log line is 379 bytes here against 450, an error with a
 * cause 765 against 1,760.
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {
    /** The fixed fields; a key-value pair with one of these names is written as {@code kv_<name>}. */
    static final Set<String> FIXED_FIELDS = Set.of("timestamp", "level", "logger", "thread", "message", "error",
            "stack");
    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSX")
            .withZone(ZoneOffset.UTC);

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("timestamp", TIMESTAMP.format(event.getInstant()));
            g.writeStringField("level", event.getLevel().toString());
            g.writeStringField("logger", event.getLoggerName());
            g.writeStringField("thread", event.getThreadName());
            g.writeStringField("message", event.getFormattedMessage());
            Set<String> written = new HashSet<>(FIXED_FIELDS);
            List<KeyValuePair> pairs = event.getKeyValuePairs();
            if (pairs != null) {
                for (KeyValuePair pair : pairs) {
                    g.writeFieldName(fieldName(pair.key, written));
                    writeValue(g, pair.value);
                }
            }
            Map<String, String> mdc = event.getMDCPropertyMap();
            if (mdc != null) {
                for (Map.Entry<String, String> e : mdc.entrySet()) {
                    g.writeStringField(fieldName(e.getKey(), written), e.getValue());
                }
            }
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                g.writeStringField("error", thrown.getClassName()
                        + (thrown.getMessage() == null ? "" : ": " + thrown.getMessage()));
                g.writeStringField("stack", ThrowableProxyUtil.asString(thrown));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a log event", e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static String fieldName(String key, Set<String> written) {
        String name = key == null || key.isBlank() ? "kv" : key;
        while (!written.add(name)) {
            name = "kv_" + name;
        }
        return name;
    }

    private static void writeValue(JsonGenerator g, Object value) throws IOException {
        switch (value) {
            case null -> g.writeNull();
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case Short s -> g.writeNumber(s);
            case Byte b -> g.writeNumber(b);
            // NaN and infinities come out as strings: Jackson quotes non-numeric numbers by default.
            case Double d -> g.writeNumber(d);
            case Float f -> g.writeNumber(f);
            case BigDecimal d -> g.writeNumber(d);
            case BigInteger i -> g.writeNumber(i);
            case Boolean b -> g.writeBoolean(b);
            default -> g.writeString(String.valueOf(value));
        }
    }
}
