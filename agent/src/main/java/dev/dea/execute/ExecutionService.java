package dev.dea.execute;

import dev.dea.artifact.ArtifactStore;
import dev.dea.audit.AuditEvent;
import dev.dea.audit.AuditLog;
import dev.dea.cache.FrameCache;
import dev.dea.cache.FrameMeta;
import dev.dea.cache.FramePin;
import dev.dea.error.AgentException;
import dev.dea.metrics.ExecutionMetrics;
import dev.dea.sandbox.LiveOutput;
import dev.dea.sandbox.SandboxJob;
import dev.dea.sandbox.SqlCallback;
import dev.dea.sandbox.SandboxOutcome;
import dev.dea.sandbox.SandboxService;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * The executions a caller can ask for: SQL, Python on the database, Python on cached
 * frames. Each one becomes a cached frame and an {@link ExecutionResult}, and one line of
 * the audit trail, written before the caller gets an answer, whatever the outcome.
 */
public final class ExecutionService {
    private final SqlTargets sql;
    private final SandboxService sandbox;
    private final FrameCache cache;
    private final AuditLog audit;
    private final ExecutionMetrics metrics;
    private final InlineFrames inlineFrames;
    private final ArtifactStore artifacts;

    /**
     * SQL outcomes are counted by {@link SqlRunner}; Python outcomes here. {@code sql}: the runner of each datasource;
     * {@code artifacts} keeps what Python steps drew and wrote for download.
     */
    public ExecutionService(SqlTargets sql, SandboxService sandbox, FrameCache cache, AuditLog audit,
                            ExecutionMetrics metrics, ArtifactStore artifacts) {
        this.artifacts = requireNonNull(artifacts, "artifacts");
        this.sql = requireNonNull(sql, "sql");
        this.inlineFrames = new InlineFrames(cache);
        this.sandbox = requireNonNull(sandbox, "sandbox");
        this.cache = requireNonNull(cache, "cache");
        this.audit = requireNonNull(audit, "audit");
        this.metrics = requireNonNull(metrics, "metrics");
    }

    /** The one way in: every route, tool and job runs its step here. */
    public ExecutionResult execute(ExecutionRequest request, ExecutionContext context) {
        return execute(request, context, StepProgress.NONE);
    }

    /** With {@code progress} told of the rows a SQL step fetched and the lines a Python step printed as it runs (jobs). */
    public ExecutionResult execute(ExecutionRequest request, ExecutionContext context, StepProgress progress) {
        requireNonNull(request, "request");
        requireNonNull(progress, "progress");
        // Checked before input_data is stored as frames.
        StepLimits.codeText(request.code());
        return switch (request.kind()) {
            case SQL -> executeSql(request.code(), request.datasource(), request.previewRows(), context, progress);
            case PYTHON -> executePython(request, context, progress);
        };
    }

    /**
     * Inline tables stored as frames first, pinned until the step ends: it may wait long for a slot.
     * A step that fails takes its inline frames with it: no result names them as parents.
     */
    private ExecutionResult executePython(ExecutionRequest request, ExecutionContext context, StepProgress progress) {
        Map<String, String> inputs = new LinkedHashMap<>(request.cacheKeys());
        Optional<String> requestId = Optional.of(context.requestId());
        List<FramePin> inline = new ArrayList<>();
        long started = System.nanoTime();
        try {
            try {
                // An unknown key fails before any inline table is stored.
                request.cacheKeys().values().forEach(cache::get);
                request.inlineData().forEach((name, data) -> {
                    FramePin pin = inlineFrames.store(name, data, requestId);
                    inline.add(pin);
                    inputs.put(name, pin.meta().key());
                });
            } catch (AgentException e) {
                metrics.pythonFailed(e);
                throw recorded(e, context, "python", request.code(), List.copyOf(request.cacheKeys().values()), started,
                        Optional.empty());
            }
            return executePython(request.code(), inputs, inline, request.previewRows(), request.exactDecimals(), context,
                    progress);
        } catch (RuntimeException e) {
            inline.forEach(pin -> {
                pin.close();
                cache.delete(pin.meta().key());
            });
            throw e;
        } finally {
            inline.forEach(FramePin::close);
        }
    }

    private ExecutionResult executeSql(String code, Optional<String> datasource, int previewRows,
                                       ExecutionContext context, StepProgress progress) {
        StepLimits.codeText(code);
        long started = System.nanoTime();
        // The name as resolved (the default's when none was given), for the audit trail.
        String[] resolved = {datasource.orElse(null)};
        try {
            SqlRunner.SqlRun run = sql.run(datasource, (name, runner) -> {
                resolved[0] = name;
                return runner.run(code, previewRows, Optional.of(context.requestId()), progress);
            });
            FrameMeta meta = run.frame();
            List<String> tables = List.copyOf(new TreeSet<>(run.statement().tables()));
            ExecutionResult result = new ExecutionResult("success",
                    metadata(meta, elapsedMs(started), run.preview().size(), tables),
                    new ExecutionResult.Data(meta.columns().stream().map(c -> c.name()).toList(), run.preview()),
                    Optional.of(meta.key()), true, Optional.empty());
            record(context, "sql", code, tables, Optional.empty(), meta.rowCount(), started, List.of(),
                    Optional.of(meta.key()), Optional.ofNullable(resolved[0]));
            return result;
        } catch (AgentException e) {
            throw recorded(e, context, "sql", code, List.of(), started, Optional.ofNullable(resolved[0]));
        }
    }

    /**
     * Python with {@code input_data} from cached frames (name -> key); an empty map for {@code /execute}.
     * {@code inputPins} are released once the sandbox has read the inputs, before the result's own
     * pin: the limits they held off then take the older inputs first, not the result.
     */
    private ExecutionResult executePython(String code, Map<String, String> inputKeys, List<FramePin> inputPins,
                                          int previewRows, boolean exactDecimals, ExecutionContext context,
                                          StepProgress progress) {
        StepLimits.codeText(code);
        long started = System.nanoTime();
        List<String> keysRead = List.copyOf(inputKeys.values());
        try {
            // Unknown keys fail here, naming the key, before the request waits for a sandbox slot.
            inputKeys.values().forEach(cache::get);
            LiveOutput live = progress.wantsOutput() ? progress::output : LiveOutput.NONE;
            // Closed once the answer is built: its result frame stays pinned until the preview is read.
            try (SandboxOutcome outcome = sandbox.execute(new SandboxJob(code, inputKeys, Optional.of(context.requestId()),
                    live, exactDecimals, sqlFor(context)))) {
                inputPins.forEach(FramePin::close);
                ExecutionResult result = answer(outcome, code, previewRows, keysRead, started, context);
                metrics.pythonSucceeded();
                return result;
            }
        } catch (RuntimeException e) {
            metrics.pythonFailed(e);
            throw e instanceof AgentException agent
                    ? recorded(agent, context, "python", code, keysRead, started, Optional.empty()) : e;
        }
    }

    /**
     * What answers the step's {@code sql()} calls: the path and checks of a SQL step, and an audit
     * line of its own for each statement (datasource, tables, outcome), with the step's request id
     * and caller, so that the trail holds every statement that reached a database.
     */
    private SqlCallback sqlFor(ExecutionContext context) {
        return (query, datasource, requestId) -> {
            long started = System.nanoTime();
            String[] resolved = {datasource.orElse(null)};
            SqlRunner.Pinned run;
            try {
                run = sql.run(datasource, (name, runner) -> {
                    resolved[0] = name;
                    return runner.pinned(query, requestId);
                });
            } catch (AgentException e) {
                throw recorded(e, context, "sql", query, List.of(), started, Optional.ofNullable(resolved[0]));
            }
            try {
                FrameMeta meta = run.pin().meta();
                record(context, "sql", query, List.copyOf(new TreeSet<>(run.statement().tables())), Optional.empty(),
                        meta.rowCount(), started, List.of(), Optional.of(meta.key()), Optional.ofNullable(resolved[0]));
                return run.pin();
            } catch (RuntimeException e) {
                run.pin().close();
                throw e;
            }
        };
    }

    private ExecutionResult answer(SandboxOutcome outcome, String code, int previewRows, List<String> keysRead,
                                   long started, ExecutionContext context) {
        Optional<ExecutionResult.PythonOutput> output = Optional.of(output(outcome, context));
        if (outcome.resultFrame().isEmpty()) {
            record(context, "python", code, List.of(), Optional.empty(), 0, started, keysRead, Optional.empty(),
                    Optional.empty());
            return new ExecutionResult("success",
                    new ExecutionResult.Metadata(elapsedMs(started), 0, 0, false, false, List.of(), List.of(), keysRead),
                    new ExecutionResult.Data(List.of(), List.of()), Optional.empty(), false, output);
        }
        FrameMeta meta = outcome.frame();
        List<?> rows = cache.previewRows(meta.key(), previewRows);
        ExecutionResult result = new ExecutionResult("success",
                metadata(meta, elapsedMs(started), rows.size(), List.of()),
                new ExecutionResult.Data(meta.columns().stream().map(c -> c.name()).toList(), rows),
                Optional.of(meta.key()), true, output);
        record(context, "python", code, List.of(), Optional.empty(), meta.rowCount(), started, keysRead,
                Optional.of(meta.key()), Optional.empty());
        return result;
    }

    /** Stores every artifact with the request and frame it came with; the result lists them by key. */
    private ExecutionResult.PythonOutput output(SandboxOutcome o, ExecutionContext context) {
        Optional<String> frameKey = o.resultFrame().map(FrameMeta::key);
        List<ResultArtifact> stored = o.artifacts().stream()
                .map(a -> ResultArtifact.of(a, artifacts.put(a.name(), a.mediaType(), a.data(),
                        Optional.of(context.requestId()), frameKey)))
                .toList();
        return new ExecutionResult.PythonOutput(o.stdout(), o.stderr(), o.stdoutTruncated(), o.stderrTruncated(), stored);
    }

    private AgentException recorded(AgentException e, ExecutionContext context, String language, String code,
                                    List<String> keysRead, long started, Optional<String> datasource) {
        try {
            record(context, language, code, List.of(), Optional.of(e), 0, started, keysRead, Optional.empty(), datasource);
        } catch (RuntimeException auditFailure) {
            e.addSuppressed(auditFailure);
        }
        return e;
    }

    private void record(ExecutionContext context, String language, String code, List<String> tables,
                        Optional<AgentException> failure, long rows, long started, List<String> keysRead,
                        Optional<String> keyWritten, Optional<String> datasource) {
        String outcome = failure.map(e -> switch (e.type()) {
            case SQL_REJECTED -> "rejected";
            case TIMEOUT -> "timeout";
            default -> "error";
        }).orElse("success");
        audit.append(new AuditEvent(Instant.now(), context.requestId(), context.callerAddress(), language,
                AuditLog.sha256(code), Optional.of(code), tables, outcome, failure.map(e -> e.type().name()),
                rows, elapsedMs(started), keysRead, keyWritten, datasource));
    }

    private static ExecutionResult.Metadata metadata(FrameMeta meta, double elapsedMs, int previewRows, List<String> tables) {
        return new ExecutionResult.Metadata(elapsedMs, meta.rowCount(), previewRows, previewRows < meta.rowCount(),
                meta.truncated(), meta.columns().stream().map(ResultColumn::of).toList(), tables,
                meta.provenance().parentKeys());
    }

    private static double elapsedMs(long started) {
        return Math.round((System.nanoTime() - started) / 10_000.0) / 100.0;
    }
}
