package dev.dea.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The runner's first line on stdout, {@code {"type":"ready","protocol":N}}, checked the same way
 * for every backend: a warm pool pays for the start (container or pod, pandas import) before any
 * request exists, and a runner of another protocol is refused before it gets an execute.
 */
public final class ReadyLine {
    /** The ready line is a few dozen bytes; anything this long is not a runner. */
    static final int MAX_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReadyLine() {
    }

    /**
     * Reads and checks the ready line from {@code stdout}; returns the stream positioned right
     * after it (nothing read ahead is lost).
     *
     * @throws IOException the stream ended first, or the line is not a ready line of
     *                     {@link SandboxBackend#PROTOCOL_VERSION} (the message quotes what came)
     */
    public static InputStream await(InputStream stdout) throws IOException {
        return read(stdout).rest();
    }

    /**
     * What a ready line says beyond its protocol: the image's declared package versions (name ->
     * version; empty from a runner that does not send them).
     */
    public record Ready(InputStream rest, java.util.Map<String, String> packages) {
        public Ready {
            java.util.Objects.requireNonNull(rest, "rest");
            packages = java.util.Map.copyOf(packages);
        }
    }

    /** As {@link #await}, with the packages the runner declares. */
    public static Ready read(InputStream stdout) throws IOException {
        LineReader lines = new LineReader(stdout, MAX_BYTES);
        byte[] line;
        try {
            line = lines.readLine();
        } catch (EOFException e) {
            // Not a protocol error: the runner died or never started; the caller diagnoses why.
            throw new EOFException("the runner's output ended before its ready line");
        }
        JsonNode ready;
        try {
            ready = JSON.readTree(line);
        } catch (IOException e) {
            throw new RunnerExchange.ProtocolException("the runner's first line is not JSON: " + quote(line));
        }
        if (ready == null || !"ready".equals(ready.path("type").asText())) {
            throw new RunnerExchange.ProtocolException("expected the runner's ready line, got: " + quote(line));
        }
        if (ready.path("protocol").asInt(-1) != SandboxBackend.PROTOCOL_VERSION) {
            throw new RunnerExchange.ProtocolException("the runner speaks protocol " + ready.path("protocol")
                    + ", this agent " + SandboxBackend.PROTOCOL_VERSION + "; rebuild the image (sandbox-image/build-offline.sh)");
        }
        java.util.Map<String, String> packages = new java.util.TreeMap<>();
        ready.path("packages").fields().forEachRemaining(e -> {
            // Bounded: names and versions only, as the image's label holds them.
            if (packages.size() < 64 && e.getValue().isTextual() && e.getKey().length() <= 64
                    && e.getValue().textValue().length() <= 64) {
                packages.put(e.getKey(), e.getValue().textValue());
            }
        });
        return new Ready(lines.rest(), packages);
    }

    private static String quote(byte[] line) {
        String s = new String(line, StandardCharsets.UTF_8);
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
