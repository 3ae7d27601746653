package dev.dea.sandbox;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Checks the artifacts of a runner result before anyone sees them. User code can reach the
 * runner's channel, so an artifact is what a hostile program says it is until proven
 * otherwise: deny by default. Accepted is exactly what the runner produces, a matplotlib
 * figure as PNG: a plain base name ending in {@code .png}, media type {@code image/png},
 * strict base64 of bytes that start with the PNG signature and an IHDR chunk, within the
 * size bounds. Width and height are read from the IHDR, not taken from the message. What
 * is dropped is named (sanitized) in a note the caller appends to the step's stderr.
 */
final class Artifacts {
    static final int MAX_COUNT = 64;
    static final int MAX_NAME_CHARS = 100;
    static final String PNG = "image/png";
    /** Letters, digits, '.', '_', '-'; no separator, no leading dot; ".." is refused separately. */
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** Signature, IHDR length and type, width, height, depth, colour, compression, filter, interlace, CRC. */
    private static final int PNG_MIN_BYTES = 8 + 8 + 13 + 4;
    private static final int MAX_DIMENSION = 100_000;

    /** The accepted artifacts, and one note per dropped one. */
    record Checked(List<Artifact> artifacts, List<String> notes) {
        Checked {
            artifacts = List.copyOf(requireNonNull(artifacts, "artifacts"));
            notes = List.copyOf(requireNonNull(notes, "notes"));
        }

        /** {@code stderr} with the notes appended, one line each. */
        String appendNotes(String stderr) {
            if (notes.isEmpty()) {
                return stderr;
            }
            StringBuilder sb = new StringBuilder(stderr);
            for (String note : notes) {
                if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != '\n') {
                    sb.append('\n');
                }
                sb.append(note);
            }
            return sb.append('\n').toString();
        }
    }

    private Artifacts() {
    }

    /** {@code node} is the result's {@code artifacts} (missing or null: none); {@code maxBytes} bounds all decoded data. */
    static Checked check(JsonNode node, long maxBytes) {
        List<Artifact> accepted = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (node == null || node.isMissingNode() || node.isNull()) {
            return new Checked(accepted, notes);
        }
        if (!node.isArray()) {
            notes.add("[agent] dropped the artifacts: not a list");
            return new Checked(accepted, notes);
        }
        long total = 0;
        int index = 0;
        for (JsonNode a : node) {
            index++;
            String label = a.path("name").isTextual() ? quote(a.path("name").asText()) : "#" + index;
            if (accepted.size() == MAX_COUNT) {
                notes.add("[agent] dropped " + (node.size() - index + 1) + " artifacts from " + label
                        + " on: more than " + MAX_COUNT);
                break;
            }
            String why;
            byte[] data = null;
            if (!a.isObject()) {
                why = "not an object";
            } else if ((why = nameProblem(a.path("name"))) == null && (why = typeProblem(a)) == null) {
                JsonNode encoded = a.path("data_base64");
                long room = maxBytes - total;
                if (!encoded.isTextual()) {
                    why = "data_base64 is not a string";
                } else if (encoded.asText().length() / 4L * 3 > room + 2) {
                    why = "larger than the " + maxBytes + " bytes allowed for all artifacts";
                } else {
                    try {
                        data = Base64.getDecoder().decode(encoded.asText());
                        why = data.length > room ? "larger than the " + maxBytes + " bytes allowed for all artifacts"
                                : pngProblem(data);
                    } catch (IllegalArgumentException e) {
                        why = "data_base64 is not valid base64";
                    }
                }
            }
            if (why != null) {
                notes.add("[agent] dropped artifact " + label + ": " + why);
                continue;
            }
            total += data.length;
            accepted.add(new Artifact(a.path("name").asText(), PNG, readInt(data, 16), readInt(data, 20),
                    a.path("data_base64").asText()));
        }
        return new Checked(accepted, notes);
    }

    /** Why {@code name} is not a safe base name, or null. */
    static String nameProblem(JsonNode name) {
        if (!name.isTextual()) {
            return "the name is not a string";
        }
        String s = name.asText();
        if (s.isEmpty()) {
            return "the name is empty";
        }
        if (s.length() > MAX_NAME_CHARS) {
            return "the name is longer than " + MAX_NAME_CHARS + " characters";
        }
        if (s.indexOf('/') >= 0 || s.indexOf('\\') >= 0) {
            return "the name contains a path separator";
        }
        if (s.contains("..")) {
            return "the name contains '..'";
        }
        if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))) {
            return "the name contains a control character";
        }
        if (!SAFE_NAME.matcher(s).matches()) {
            return "the name may only hold letters, digits, '.', '_' and '-' and must start with a letter or digit";
        }
        return null;
    }

    private static String typeProblem(JsonNode a) {
        JsonNode type = a.path("media_type");
        if (!type.isTextual() || !PNG.equals(type.asText())) {
            return "media type " + (type.isTextual() ? quote(type.asText()) : "missing") + " is not allowed (only "
                    + PNG + ")";
        }
        if (!a.path("name").asText().toLowerCase(java.util.Locale.ROOT).endsWith(".png")) {
            return "the name does not end in .png";
        }
        return null;
    }

    /** Why {@code data} is not a PNG with a sane IHDR, or null. */
    static String pngProblem(byte[] data) {
        if (data.length < PNG_MIN_BYTES || !Arrays.equals(data, 0, 8, PNG_SIGNATURE, 0, 8)) {
            return "the data is not a PNG (no PNG signature)";
        }
        if (readInt(data, 8) != 13 || !"IHDR".equals(new String(data, 12, 4, StandardCharsets.ISO_8859_1))) {
            return "the data is not a PNG (no IHDR chunk first)";
        }
        int width = readInt(data, 16);
        int height = readInt(data, 20);
        if (width <= 0 || height <= 0 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
            return "the PNG's size " + Integer.toUnsignedString(width) + "x" + Integer.toUnsignedString(height)
                    + " is out of range";
        }
        return null;
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    /** The untrusted name, printable and short enough for a note. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().limit(60).forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '"' || c == '\\') {
                sb.append(String.format("\\u%04x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        if (s.codePointCount(0, s.length()) > 60) {
            sb.append("...");
        }
        return sb.append('"').toString();
    }
}
