package dev.dea.upload;

import dev.dea.audit.AuditEvent;
import dev.dea.audit.AuditLog;
import dev.dea.cache.FrameCache;
import dev.dea.cache.FrameMeta;
import dev.dea.cache.FramePin;
import dev.dea.cache.FrameWriter;
import dev.dea.cache.Provenance;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.frame.FrameColumn;
import dev.dea.upload.arrow.ArrowTableReader;
import dev.dea.upload.csv.DelimitedReader;
import dev.dea.upload.jsonl.JsonLinesReader;
import dev.dea.upload.source.MalformedFile;
import dev.dea.upload.source.ReadOptions;
import dev.dea.upload.source.TableReader;
import dev.dea.upload.xlsx.XlsxReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Turns an uploaded file (CSV, TSV, JSON Lines, Arrow IPC stream, xlsx; raw or as the
 * {@code file} part of multipart/form-data) into a cached frame with provenance kind
 * {@code upload}. The body is spooled to disk within UPLOAD_MAX_BYTES, read once to infer the
 * column kinds and once more to write the frame; a malformed file is a VALIDATION_ERROR naming
 * the row and column and leaves nothing in the cache.
 */
public final class Uploads {
    private static final Logger log = LoggerFactory.getLogger(Uploads.class);

    /** Every Content-Type an upload may have, multipart/form-data last. */
    public static final List<String> MEDIA_TYPES = List.copyOf(UploadFormat.accepted());
    /** The formats by short name, for callers that send content without a Content-Type (MCP). */
    public static final List<Format> FORMATS = Arrays.stream(UploadFormat.values())
            .map(f -> new Format(f.shortName, f.mediaType(), f.binary)).toList();

    /** A format as a caller names it: {@code csv}, {@code tsv}, {@code jsonl}, {@code arrow}, {@code xlsx}. */
    public record Format(String name, String mediaType, boolean binary) {
        public Format {
            requireNonNull(name, "name");
            requireNonNull(mediaType, "mediaType");
        }
    }

    private final FrameCache cache;
    private final AuditLog audit;
    private final Spool spool;

    /** {@code spoolDir}: private to the uploads, emptied here; {@code maxBytes}: UPLOAD_MAX_BYTES. */
    public Uploads(FrameCache cache, AuditLog audit, Path spoolDir, long maxBytes) {
        this.cache = requireNonNull(cache, "cache");
        this.audit = requireNonNull(audit, "audit");
        requireNonNull(spoolDir, "spoolDir");
        try {
            Files.createDirectories(spoolDir);
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(spoolDir)) {
                for (Path p : leftovers) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the upload directory " + spoolDir, e);
        }
        this.spool = new Spool(spoolDir, maxBytes);
    }

    /**
     * Stores {@code body} as a frame, pinned until the caller closes the pin (after reading
     * its preview). {@code contentType}: the request's Content-Type header (null when absent);
     * {@code declaredLength}: its Content-Length, -1 when unknown.
     */
    public FramePin upload(InputStream body, long declaredLength, String contentType, UploadOptions options,
                           String requestId, String callerAddress) {
        requireNonNull(body, "body");
        requireNonNull(options, "options");
        long started = System.nanoTime();
        String[] source = {options.name().orElse("(upload)")};
        FramePin pin = null;
        try {
            pin = upload(body, declaredLength, contentType, options, Optional.of(requestId), source);
            FrameMeta meta = pin.meta();
            record(requestId, callerAddress, source[0], Optional.empty(), meta.rowCount(), started, Optional.of(meta.key()));
            return pin;
        } catch (RuntimeException e) {
            if (pin != null) {
                pin.close();
            }
            // A failure of ours (INTERNAL) is in the trail as much as the caller's mistakes.
            String type = e instanceof AgentException a ? a.type().name() : ErrorType.INTERNAL.name();
            try {
                record(requestId, callerAddress, source[0], Optional.of(type), 0, started, Optional.empty());
            } catch (RuntimeException auditFailure) {
                e.addSuppressed(auditFailure);
            }
            throw e;
        }
    }

    /**
     * Every upload is in the audit trail like an execution (language {@code upload}): data entering the
     * cache from outside the databases is as much the security team's business as a query.
     */
    private void record(String requestId, String callerAddress, String source, Optional<String> errorType, long rows,
                        long started, Optional<String> key) {
        audit.append(new AuditEvent(Instant.now(), requestId, callerAddress, AuditEvent.UPLOAD, AuditLog.sha256(source),
                Optional.of(source), List.of(), errorType.isPresent() ? AuditEvent.ERROR : AuditEvent.SUCCESS, errorType,
                rows, Math.round((System.nanoTime() - started) / 10_000.0) / 100.0, List.of(), key, Optional.empty()));
    }

    private FramePin upload(InputStream body, long declaredLength, String contentType, UploadOptions options,
                             Optional<String> requestId, String[] sourceOut) {
        String type = contentType == null ? "" : contentType;
        boolean multipart = UploadFormat.bare(type).equals(UploadFormat.MULTIPART);
        Optional<UploadFormat> direct = UploadFormat.byMediaType(type);
        if (!multipart && direct.isEmpty()) {
            throw unsupported("Content-Type '" + abbreviate(type) + "'");
        }
        Path raw = null;
        Path file = null;
        try {
            raw = spool.copy(body, declaredLength);
            UploadFormat format;
            Optional<String> fileName = Optional.empty();
            if (multipart) {
                Spool.Part part = spool.filePart(raw, type);
                file = part.file();
                fileName = part.fileName().filter(n -> !n.isBlank());
                format = fileName.flatMap(UploadFormat::byFileName)
                        .or(() -> part.contentType().flatMap(UploadFormat::byMediaType))
                        .orElseThrow(() -> unsupported("the part 'file' (file name "
                                + part.fileName().map(n -> "'" + abbreviate(n) + "'").orElse("absent")
                                + ", content type " + part.contentType().map(t -> "'" + abbreviate(t) + "'").orElse("absent")
                                + ")"));
            } else {
                file = raw;
                format = direct.get();
            }
            if (Files.size(file) == 0) {
                throw AgentException.validation("The uploaded file is empty");
            }
            Optional<String> sentName = fileName;
            String source = options.name().or(() -> sentName).orElse("(" + format.label() + " upload)");
            sourceOut[0] = source;
            return store(file, format, options, new Provenance("upload", source, List.of(), requestId));
        } catch (IOException e) {
            throw AgentException.internal("Could not read the upload", e);
        } finally {
            delete(raw);
            delete(file);
        }
    }

    private FramePin store(Path file, UploadFormat format, UploadOptions options, Provenance provenance)
            throws IOException {
        TableReader reader = reader(format);
        ReadOptions read = new ReadOptions(options.header(), options.sheet());
        ColumnGuesses guesses = new ColumnGuesses();
        try {
            reader.read(file, read, guesses);
        } catch (MalformedFile e) {
            throw malformed(e, guesses.names());
        }
        if (guesses.names().isEmpty()) {
            throw AgentException.validation("The uploaded file has no columns");
        }
        List<String> unknown = options.types().keySet().stream().filter(n -> !guesses.names().contains(n)).toList();
        if (!unknown.isEmpty()) {
            throw AgentException.unknownNames("column", "the types parameter", unknown, guesses.names());
        }
        List<FrameColumn> columns = guesses.columns(options.types(), format.label());
        try (FrameWriter writer = cache.create(columns, provenance)) {
            try {
                reader.read(file, read, new FrameRows(columns, writer));
            } catch (MalformedFile e) {
                throw malformed(e, guesses.names());
            }
            // Pinned until the caller has read the answer's preview back.
            FramePin pin = writer.commitPinned();
            log.debug("Stored {} upload as frame {}: {} rows, {} columns", format.label(), pin.meta().key(),
                    pin.meta().rowCount(), columns.size());
            return pin;
        }
    }

    private static TableReader reader(UploadFormat format) {
        return switch (format) {
            case CSV -> DelimitedReader.csv();
            case TSV -> DelimitedReader.tsv();
            case JSON_LINES -> new JsonLinesReader();
            case ARROW -> new ArrowTableReader();
            case XLSX -> new XlsxReader();
        };
    }

    private static AgentException malformed(MalformedFile e, List<String> names) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("row", e.row());
        StringBuilder where = new StringBuilder("row ").append(e.row());
        if (e.column() > 0) {
            Optional<String> name = e.columnName()
                    .or(() -> e.column() <= names.size() ? Optional.of(names.get(e.column() - 1)) : Optional.empty());
            details.put("column", e.column());
            name.ifPresent(n -> details.put("column_name", n));
            where.append(", column ").append(e.column()).append(name.map(n -> " ('" + abbreviate(n) + "')").orElse(""));
        }
        details.put("problem", e.problem());
        return new AgentException(ErrorType.VALIDATION_ERROR, "The uploaded file is malformed at " + where + ": "
                + e.problem(), details, null);
    }

    private static AgentException unsupported(String what) {
        List<String> accepted = UploadFormat.accepted();
        return new AgentException(ErrorType.UNSUPPORTED_MEDIA_TYPE, "Cannot read " + what + " as an upload; accepted "
                + "content types: " + String.join(", ", accepted) + " (a multipart part by its file name: "
                + String.join(", ", UploadFormat.acceptedExtensions()) + ")",
                Map.of("accepted", accepted), null);
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }

    private static void delete(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("Could not delete the spooled upload {}: {}", file, e.toString());
        }
    }
}
