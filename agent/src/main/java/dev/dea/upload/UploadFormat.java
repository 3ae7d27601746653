package dev.dea.upload;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The file formats an upload may have, by media type and by file name extension. */
enum UploadFormat {
    CSV("csv", false, List.of("text/csv"), List.of(".csv")),
    TSV("tsv", false, List.of("text/tab-separated-values"), List.of(".tsv", ".tab")),
    JSON_LINES("jsonl", false, List.of("application/x-ndjson", "application/jsonl", "application/jsonlines"),
            List.of(".jsonl", ".ndjson")),
    ARROW("arrow", true, List.of("application/vnd.apache.arrow.stream", "application/vnd.apache.arrow.file"),
            List.of(".arrows", ".arrow", ".feather")),
    XLSX("xlsx", true, List.of("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), List.of(".xlsx"));

    static final String MULTIPART = "multipart/form-data";

    /** The name a caller without a Content-Type gives (the MCP tool's {@code format}). */
    final String shortName;
    /** Not text: a caller that can only send text sends it base64-encoded. */
    final boolean binary;
    private final List<String> mediaTypes;
    private final List<String> extensions;

    UploadFormat(String shortName, boolean binary, List<String> mediaTypes, List<String> extensions) {
        this.shortName = shortName;
        this.binary = binary;
        this.mediaTypes = mediaTypes;
        this.extensions = extensions;
    }

    String mediaType() {
        return mediaTypes.getFirst();
    }

    String label() {
        return name().toLowerCase(Locale.ROOT).replace("_", "");
    }

    /** The bare media type of a Content-Type header value, lower case, without parameters. */
    static String bare(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    static Optional<UploadFormat> byMediaType(String contentType) {
        String bare = bare(contentType);
        for (UploadFormat f : values()) {
            if (f.mediaTypes.contains(bare)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    static Optional<UploadFormat> byFileName(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        for (UploadFormat f : values()) {
            if (f.extensions.stream().anyMatch(lower::endsWith)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Every accepted media type, multipart included: what a 415 lists. */
    static List<String> accepted() {
        List<String> all = new ArrayList<>();
        for (UploadFormat f : values()) {
            all.addAll(f.mediaTypes);
        }
        all.add(MULTIPART);
        return all;
    }

    static List<String> acceptedExtensions() {
        List<String> all = new ArrayList<>();
        for (UploadFormat f : values()) {
            all.addAll(f.extensions);
        }
        return all;
    }
}
