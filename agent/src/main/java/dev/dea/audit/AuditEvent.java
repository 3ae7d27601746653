package dev.dea.audit;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * One execution, as the audit trail records it. Carries no row data and no credentials:
 * only what ran (language, code and its hash), for whom, on what, and how it ended.
 *
 * @param time            when the execution finished
 * @param requestId       the platform's request id
 * @param callerAddress   the remote address the request came from
 * @param language        {@value #SQL}, {@value #PYTHON} or {@value #UPLOAD}
 * @param codeSha256      lowercase hex SHA-256 of the code's UTF-8 bytes ({@link AuditLog#sha256})
 * @param code            the code itself; dropped at write time when the log is configured without code
 * @param tablesTouched   tables the execution read, as qualified names
 * @param outcome         {@value #SUCCESS}, {@value #REJECTED}, {@value #ERROR} or {@value #TIMEOUT}
 * @param errorType       the error type when the outcome is not a success
 * @param rows            rows returned (0 when none)
 * @param durationMs      wall time of the execution
 * @param cacheKeysRead   frame cache keys the execution read
 * @param cacheKeyWritten frame cache key the execution produced
 * @param datasource      the datasource a SQL execution ran on (empty for Python)
 */
public record AuditEvent(Instant time, String requestId, String callerAddress, String language,
                         String codeSha256, Optional<String> code, List<String> tablesTouched, String outcome,
                         Optional<String> errorType, long rows, double durationMs, List<String> cacheKeysRead,
                         Optional<String> cacheKeyWritten, Optional<String> datasource) {
    public static final String SQL = "sql";
    public static final String PYTHON = "python";
    /** A file sent to {@code POST /frames}; its code is the upload's name. */
    public static final String UPLOAD = "upload";
    public static final String SUCCESS = "success";
    public static final String REJECTED = "rejected";
    public static final String ERROR = "error";
    public static final String TIMEOUT = "timeout";

    private static final Set<String> LANGUAGES = Set.of(SQL, PYTHON, UPLOAD);
    private static final Set<String> OUTCOMES = Set.of(SUCCESS, REJECTED, ERROR, TIMEOUT);
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    public AuditEvent {
        requireNonNull(time, "time");
        requireNonNull(requestId, "requestId");
        requireNonNull(callerAddress, "callerAddress");
        requireNonNull(language, "language");
        requireNonNull(codeSha256, "codeSha256");
        requireNonNull(code, "code");
        tablesTouched = List.copyOf(requireNonNull(tablesTouched, "tablesTouched"));
        requireNonNull(outcome, "outcome");
        requireNonNull(errorType, "errorType");
        cacheKeysRead = List.copyOf(requireNonNull(cacheKeysRead, "cacheKeysRead"));
        requireNonNull(cacheKeyWritten, "cacheKeyWritten");
        requireNonNull(datasource, "datasource");
        if (!LANGUAGES.contains(language)) {
            throw new IllegalArgumentException("language must be sql, python or upload: " + language);
        }
        if (!OUTCOMES.contains(outcome)) {
            throw new IllegalArgumentException("outcome must be success, rejected, error or timeout: " + outcome);
        }
        if (!SHA256_HEX.matcher(codeSha256).matches()) {
            throw new IllegalArgumentException("codeSha256 must be 64 lowercase hex digits");
        }
        if (rows < 0) {
            throw new IllegalArgumentException("rows must not be negative: " + rows);
        }
        if (!(durationMs >= 0) || Double.isInfinite(durationMs)) {
            throw new IllegalArgumentException("durationMs must be finite and not negative: " + durationMs);
        }
    }

    /** An execution on no datasource. */
    public AuditEvent(Instant time, String requestId, String callerAddress, String language,
                      String codeSha256, Optional<String> code, List<String> tablesTouched, String outcome,
                      Optional<String> errorType, long rows, double durationMs, List<String> cacheKeysRead,
                      Optional<String> cacheKeyWritten) {
        this(time, requestId, callerAddress, language, codeSha256, code, tablesTouched, outcome, errorType, rows,
                durationMs, cacheKeysRead, cacheKeyWritten, Optional.empty());
    }

    /** A builder with the code (and so its hash) set, time defaulting to now, lists empty. */
    public static Builder builder(String language, String code) {
        return new Builder(language, code);
    }

    /** Mutable, single-threaded; {@link #build()} validates. */
    public static final class Builder {
        private Instant time;
        private String requestId = "";
        private String callerAddress = "";
        private final String language;
        private final String code;
        private List<String> tablesTouched = List.of();
        private String outcome = SUCCESS;
        private String errorType;
        private long rows;
        private double durationMs;
        private List<String> cacheKeysRead = List.of();
        private String cacheKeyWritten;
        private String datasource;

        private Builder(String language, String code) {
            this.language = requireNonNull(language, "language");
            this.code = requireNonNull(code, "code");
        }

        public Builder time(Instant v) { time = v; return this; }
        public Builder requestId(String v) { requestId = v; return this; }
        public Builder callerAddress(String v) { callerAddress = v; return this; }
        public Builder tablesTouched(List<String> v) { tablesTouched = v; return this; }
        /** Sets the outcome; {@code errorType} may be null (e.g. for a success). */
        public Builder outcome(String v, String errorTypeOrNull) { outcome = v; errorType = errorTypeOrNull; return this; }
        public Builder rows(long v) { rows = v; return this; }
        public Builder durationMs(double v) { durationMs = v; return this; }
        public Builder cacheKeysRead(List<String> v) { cacheKeysRead = v; return this; }
        public Builder cacheKeyWritten(String vOrNull) { cacheKeyWritten = vOrNull; return this; }
        public Builder datasource(String vOrNull) { datasource = vOrNull; return this; }

        public AuditEvent build() {
            return new AuditEvent(time == null ? Instant.now() : time, requestId, callerAddress, language,
                    AuditLog.sha256(code), Optional.of(code), tablesTouched, outcome,
                    Optional.ofNullable(errorType), rows, durationMs, cacheKeysRead,
                    Optional.ofNullable(cacheKeyWritten), Optional.ofNullable(datasource));
        }
    }
}
