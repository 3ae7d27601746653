package dev.dea.sandbox;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Checks the artifacts of a runner result before anyone sees them. User code can reach the
 * runner's channel, so an artifact is what a hostile program says it is until proven
 * otherwise: deny by default. Accepted are a matplotlib figure ({@code source} "figure" or
 * none, as older runners send) as PNG, and a file from OUT_DIR ({@code source} "file") of one
 * of the types of {@link ArtifactContent#TYPES}: a plain base name whose extension gives
 * exactly the stated media type, strict base64 of bytes that pass that type's content check
 * (PNG signature and IHDR, ZIP header, UTF-8, JSON), within the size bounds. A PNG's width and
 * height are read from its IHDR, not taken from the message. What is dropped is named
 * (sanitized) in a note the caller appends to the step's stderr.
 */
final class Artifacts {
    static final int MAX_COUNT = 64;
    /** Notes on dropped artifacts before the rest are dropped in one: a list of junk is not a page of notes each. */
    static final int MAX_NOTES = 16;
    static final int MAX_NAME_CHARS = 100;
    static final String PNG = ArtifactContent.PNG;
    /** Letters, digits, '.', '_', '-'; no separator, no leading dot; ".." is refused separately. */
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

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
            if (accepted.size() == MAX_COUNT || notes.size() == MAX_NOTES) {
                notes.add("[agent] dropped " + (node.size() - index + 1) + " artifacts from " + label + " on: "
                        + (accepted.size() == MAX_COUNT ? "more than " + MAX_COUNT : "too many were invalid"));
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
                                : ArtifactContent.problem(a.path("media_type").asText(), data);
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
            String type = a.path("media_type").asText();
            boolean png = PNG.equals(type);
            accepted.add(new Artifact(a.path("name").asText(), type, source(a),
                    png ? ArtifactContent.readInt(data, 16) : 0, png ? ArtifactContent.readInt(data, 20) : 0, data));
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

    private static String source(JsonNode a) {
        return Artifact.FILE.equals(a.path("source").asText()) ? Artifact.FILE : Artifact.FIGURE;
    }

    private static String typeProblem(JsonNode a) {
        JsonNode type = a.path("media_type");
        JsonNode source = a.path("source");
        if (!source.isMissingNode() && !(source.isTextual()
                && (Artifact.FILE.equals(source.asText()) || Artifact.FIGURE.equals(source.asText())))) {
            return "source " + (source.isTextual() ? quote(source.asText()) : "of the wrong type")
                    + " is neither figure nor file";
        }
        boolean figure = !Artifact.FILE.equals(source.asText());
        if (!type.isTextual() || (figure ? !PNG.equals(type.asText()) : !ArtifactContent.TYPES.containsValue(type.asText()))) {
            return "media type " + (type.isTextual() ? quote(type.asText()) : "missing") + " is not allowed (only "
                    + (figure ? PNG + " for a figure" : String.join(", ", new java.util.TreeSet<>(
                    ArtifactContent.TYPES.values()))) + ")";
        }
        String expected = ArtifactContent.typeOf(a.path("name").asText());
        if (!type.asText().equals(expected)) {
            return "the name's extension does not match " + type.asText()
                    + (PNG.equals(type.asText()) ? " (the name does not end in .png)" : "");
        }
        return null;
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
