package dev.dea.execute;

import dev.dea.cache.FrameCache;
import dev.dea.cache.FrameMeta;
import dev.dea.cache.FramePin;
import dev.dea.cache.FrameWriter;
import dev.dea.cache.Provenance;
import dev.dea.admission.Admission;
import dev.dea.config.DatasourceConfig;
import dev.dea.config.SqlAdmission;
import dev.dea.config.SqlLimits;
import dev.dea.db.Database;
import dev.dea.db.QueryCancel;
import dev.dea.frame.FrameValues;
import dev.dea.frame.JdbcFrames;
import dev.dea.metrics.ExecutionMetrics;
import dev.dea.sql.GuardedStatement;
import dev.dea.frame.ColumnDecoder;
import dev.dea.sql.StatementGuard;

import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Guarded SQL into a cached frame: the one path for {@code /execute} SQL and for the
 * {@code sql()} calls sandboxed code makes. Rows stream from a server-side cursor into
 * the frame file; only the preview the caller asks for is held in memory.
 */
public final class SqlRunner {
    /** A power of two: how often the fetch loop reports progress and looks for a cancel. */
    private static final int PROGRESS_EVERY_ROWS = 256;
    private final Database database;
    private final StatementGuard guard;
    private final ColumnDecoder decoder;
    private final FrameCache cache;
    private final SqlLimits limits;
    private final ExecutionMetrics metrics;
    /**
     * Bounds the statements that hold a pooled connection, so that a full pool answers 429, not a
     * 503 after HikariCP's wait. A Python step's sql() calls come here too, but the step holds a
     * sandbox slot, never an SQL slot or a connection, while its code runs: it cannot wait on itself.
     */
    private final Admission admission;
    /** Recorded in each frame's provenance. */
    private final String datasource;

    public SqlRunner(Database database, StatementGuard guard, FrameCache cache) {
        this(database, guard, cache, ExecutionMetrics.none());
    }

    /** Admits as many statements at once as the pool has connections, with the default queue. */
    public SqlRunner(Database database, StatementGuard guard, FrameCache cache, ExecutionMetrics metrics) {
        this(database, guard, cache, metrics, new SqlAdmission(database.config().poolSize(),
                SqlAdmission.DEFAULT_QUEUE_SIZE, Duration.ofSeconds(SqlAdmission.DEFAULT_QUEUE_TIMEOUT_SECONDS)));
    }

    /** PostgreSQL's values ({@link JdbcFrames#POSTGRESQL}). */
    public SqlRunner(Database database, StatementGuard guard, FrameCache cache, ExecutionMetrics metrics,
                     SqlAdmission admission) {
        this(DatasourceConfig.DEFAULT_NAME, database, guard, JdbcFrames.POSTGRESQL, cache, metrics, admission);
    }

    /** {@code guard} and {@code decoder} are the database's dialect's (DatasourceFactory chooses them). */
    public SqlRunner(Database database, StatementGuard guard, ColumnDecoder decoder, FrameCache cache,
                     ExecutionMetrics metrics, SqlAdmission admission) {
        this(DatasourceConfig.DEFAULT_NAME, database, guard, decoder, cache, metrics, admission);
    }

    /** The runner of datasource {@code datasource}, which its frames' provenance names. */
    public SqlRunner(String datasource, Database database, StatementGuard guard, ColumnDecoder decoder, FrameCache cache,
                     ExecutionMetrics metrics, SqlAdmission admission) {
        this.datasource = requireNonNull(datasource, "datasource");
        this.database = requireNonNull(database, "database");
        this.guard = requireNonNull(guard, "guard");
        this.decoder = requireNonNull(decoder, "decoder");
        this.cache = requireNonNull(cache, "cache");
        this.limits = database.limits();
        this.metrics = requireNonNull(metrics, "metrics");
        this.admission = new Admission("SQL", admission.maxConcurrent(), admission.queueSize(), admission.queueTimeout());
    }

    /** Statements holding a database connection, and waiting for one. */
    public int running() {
        return admission.running();
    }

    public int queued() {
        return admission.queued();
    }

    /** What a run produced: the frame, the guard's view of the statement, the first rows. */
    public record SqlRun(FrameMeta frame, GuardedStatement statement, List<Object[]> preview) {
        public SqlRun {
            requireNonNull(frame, "frame");
            requireNonNull(statement, "statement");
            preview = List.copyOf(preview);
        }
    }

    /** For the sandbox's {@code sql()} callback: the frame only. */
    public FramePin frame(String sql, Optional<String> requestId) {
        return pinned(sql, requestId).pin();
    }

    /** A statement's frame, pinned until the caller has opened it, and the statement as the guard read it. */
    public record Pinned(FramePin pin, GuardedStatement statement) {
        public Pinned {
            requireNonNull(pin, "pin");
            requireNonNull(statement, "statement");
        }
    }

    /** For the sandbox's {@code sql()}: the frame, pinned, with the statement (its tables, for the audit). */
    public Pinned pinned(String sql, Optional<String> requestId) {
        Read read = counted(sql, 0, requestId, StepProgress.NONE);
        return new Pinned(read.pin(), read.statement());
    }

    /** The preview is collected as the rows are read, so the frame need not stay pinned. */
    public SqlRun run(String sql, int previewRows, Optional<String> requestId, StepProgress progress) {
        Read read = counted(sql, previewRows, requestId, progress);
        read.pin().close();
        return new SqlRun(read.pin().meta(), read.statement(), read.preview());
    }

    private record Read(FramePin pin, GuardedStatement statement, List<Object[]> preview) {
    }

    /** Counted here, the one path, so that statements from sandboxed code show in the metrics too. */
    private Read counted(String sql, int previewRows, Optional<String> requestId, StepProgress progress) {
        try {
            Read read = guardedRun(sql, previewRows, requestId, progress);
            metrics.sqlSucceeded();
            return read;
        } catch (RuntimeException e) {
            metrics.sqlFailed(e);
            throw e;
        }
    }

    private Read guardedRun(String sql, int previewRows, Optional<String> requestId, StepProgress progress) {
        GuardedStatement statement = guard.check(sql);
        Provenance provenance = Provenance.sql(sql, datasource, requestId);
        Preview preview = new Preview(previewRows, cache.previewMaxBytes());
        // Admitted after the guard: a rejected statement never takes a slot.
        admission.acquire();
        long admitted = System.nanoTime();
        try {
            return new Read(read(statement, provenance, preview, progress), statement, preview.rows);
        } finally {
            admission.release((System.nanoTime() - admitted) / 1_000_000);
        }
    }

    private FramePin read(GuardedStatement statement, Provenance provenance, Preview preview, StepProgress progress) {
        return database.readOnly(connection -> {
            try (Statement st = connection.createStatement()) {
                // Small at first: the driver sizes later batches to SQL_RESULT_BUFFER once it has seen the rows.
                st.setFetchSize(limits.firstFetchRows());
                // One row past the limit is enough to know the result was truncated; the server need
                // not produce, nor the driver read, anything beyond it.
                // (A limit beyond what an int holds is no limit to the driver: 0.)
                st.setMaxRows(limits.maxRows() < Integer.MAX_VALUE ? (int) limits.maxRows() + 1 : 0);
                // The original text is executed, never a re-printed parse tree.
                if (!st.execute(statement.sql())) {
                    throw new IllegalStateException("A guarded read query returned no result set");
                }
                try (ResultSet rs = st.getResultSet()) {
                    JdbcFrames frames = JdbcFrames.of(rs.getMetaData(), decoder);
                    try (FrameWriter writer = cache.create(frames.columns(), provenance)) {
                        boolean truncated = false;
                        try (RowPipeline pipeline = new RowPipeline(writer)) {
                            long rows = 0;
                            while (rs.next()) {
                                if (rows == limits.maxRows()) {
                                    truncated = true;
                                    break;
                                }
                                Object[] row = frames.readRow(rs);
                                pipeline.append(row);
                                preview.offer(row);
                                rows++;
                                if ((rows & (PROGRESS_EVERY_ROWS - 1)) == 0) {
                                    progress.rowsFetched(rows);
                                    QueryCancel.check();
                                }
                            }
                            progress.rowsFetched(rows);
                            pipeline.finish();
                        }
                        // Only now, with the pipeline drained, does this thread own the writer again.
                        if (truncated) {
                            writer.markTruncated();
                        }
                        return writer.commitPinned();
                    }
                }
            }
        });
    }

    /**
     * The first rows of a result, kept for the answer: at most {@code maxRows}, and at most
     * {@code maxBytes} of values as JSON (PREVIEW_MAX_BYTES), as {@link FrameCache#previewRows}
     * bounds a stored frame's. It stops at the first row that would not fit.
     */
    private static final class Preview {
        final List<Object[]> rows;
        private final int maxRows;
        private final long maxBytes;
        private long bytes;
        private boolean full;

        Preview(int maxRows, long maxBytes) {
            this.rows = new java.util.ArrayList<>(Math.min(maxRows, 1024));
            this.maxRows = maxRows;
            this.maxBytes = maxBytes;
            this.full = maxRows == 0;
        }

        void offer(Object[] row) {
            if (full) {
                return;
            }
            for (Object value : row) {
                bytes += FrameValues.estimatedJsonBytes(value) + 1;
            }
            if (bytes > maxBytes) {
                full = true;
            } else {
                rows.add(row);
                full = rows.size() == maxRows;
            }
        }
    }
}
