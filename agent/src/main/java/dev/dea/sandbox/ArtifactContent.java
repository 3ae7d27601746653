package dev.dea.sandbox;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * The artifact types the agent returns, by file extension, and the check of each one's
 * bytes: a name ending in .csv must hold UTF-8 text, one ending in .png a PNG, and so on.
 * The runner picks the type from the extension; this confirms the content, so nothing
 * reaches a client under a type its bytes are not.
 */
final class ArtifactContent {
    static final String PNG = "image/png";
    static final String XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    /** Extension (lower case, with the dot) to media type: the whole allow-list. */
    static final Map<String, String> TYPES = Map.of(
            ".csv", "text/csv",
            ".xlsx", XLSX,
            ".html", "text/html",
            ".svg", "image/svg+xml",
            ".png", PNG,
            ".json", "application/json",
            ".txt", "text/plain");

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte[] ZIP_LOCAL_HEADER = {'P', 'K', 3, 4};
    /** Signature, IHDR length and type, width, height, depth, colour, compression, filter, interlace, CRC. */
    private static final int PNG_MIN_BYTES = 8 + 8 + 13 + 4;
    private static final int MAX_DIMENSION = 100_000;
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE)
                    .maxNumberLength(1_000_000).maxNestingDepth(1_000).build())
            .build();

    private ArtifactContent() {
    }

    /** The media type the name's extension stands for, or null when the extension is not allowed. */
    static String typeOf(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? null : TYPES.get(name.substring(dot).toLowerCase(Locale.ROOT));
    }

    /** Why {@code data} is not content of {@code mediaType}, or null. */
    static String problem(String mediaType, byte[] data) {
        return switch (mediaType) {
            case PNG -> pngProblem(data);
            case XLSX -> data.length >= 4 && Arrays.equals(data, 0, 4, ZIP_LOCAL_HEADER, 0, 4)
                    ? null : "the data is not an XLSX file (no ZIP header)";
            case "application/json" -> utf8Problem(data) != null ? utf8Problem(data) : jsonProblem(data);
            default -> utf8Problem(data);
        };
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

    static String utf8Problem(byte[] data) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(data));
            return null;
        } catch (CharacterCodingException e) {
            return "the data is not UTF-8 text";
        }
    }

    private static String jsonProblem(byte[] data) {
        // Streamed token by token: the document is checked, never built as a tree.
        try (JsonParser p = JSON.createParser(data)) {
            if (p.nextToken() == null) {
                return "the data is not JSON (empty)";
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                return "the data is not JSON (more than one value)";
            }
            return null;
        } catch (IOException e) {
            return "the data is not valid JSON";
        }
    }

    static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }
}
