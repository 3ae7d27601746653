package dev.dea.execute;

import dev.dea.cache.FrameCache;
import dev.dea.cache.FrameMeta;
import dev.dea.sandbox.SandboxJob;
import dev.dea.sandbox.SandboxOutcome;
import dev.dea.sandbox.SandboxService;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import static java.util.Objects.requireNonNull;

/**
 * The executions a caller can ask for: SQL, Python on the database, Python on cached
 * frames. Each one becomes a cached frame and an {@link ExecutionResult}.
 */
public final class ExecutionService {
    private final SqlRunner sql;
    private final SandboxService sandbox;
    private final FrameCache cache;

    public ExecutionService(SqlRunner sql, SandboxService sandbox, FrameCache cache) {
        this.sql = requireNonNull(sql, "sql");
        this.sandbox = requireNonNull(sandbox, "sandbox");
        this.cache = requireNonNull(cache, "cache");
    }

    public ExecutionResult executeSql(String code, int previewRows, Optional<String> requestId) {
        long started = System.nanoTime();
        SqlRunner.SqlRun run = sql.run(code, previewRows, requestId);
        FrameMeta meta = run.frame();
        return new ExecutionResult("success",
                metadata(meta, elapsedMs(started), run.preview().size(), List.copyOf(new TreeSet<>(run.statement().tables()))),
                new ExecutionResult.Data(meta.columns().stream().map(c -> c.name()).toList(), run.preview()),
                meta.key(), Optional.empty());
    }

    /** Python with {@code input_data} from cached frames (name -> key); an empty map for {@code /execute}. */
    public ExecutionResult executePython(String code, Map<String, String> inputKeys, int previewRows, Optional<String> requestId) {
        long started = System.nanoTime();
        // Unknown keys fail here, naming the key, before a container is started.
        inputKeys.values().forEach(cache::get);
        SandboxOutcome outcome = sandbox.execute(new SandboxJob(code, inputKeys, requestId));
        FrameMeta meta = outcome.frame();
        List<?> rows = cache.previewRows(meta.key(), previewRows);
        return new ExecutionResult("success",
                metadata(meta, elapsedMs(started), rows.size(), List.of()),
                new ExecutionResult.Data(meta.columns().stream().map(c -> c.name()).toList(), rows),
                meta.key(), Optional.of(ExecutionResult.PythonOutput.of(outcome)));
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
