package dev.dea.execute;

import dev.dea.cache.FrameCache;
import dev.dea.cache.FrameMeta;
import dev.dea.cache.FrameWriter;
import dev.dea.cache.Provenance;
import dev.dea.config.SqlLimits;
import dev.dea.db.Database;
import dev.dea.frame.FrameColumn;
import dev.dea.frame.JdbcFrames;
import dev.dea.sql.GuardedStatement;
import dev.dea.sql.SqlGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * Runs guarded SQL and turns its result into a cached frame. Rows stream from a
 * server-side cursor straight into the frame file; only the preview is held in memory.
 */
public final class ExecutionService {
    private static final Logger log = LoggerFactory.getLogger(ExecutionService.class);

    private final Database database;
    private final SqlGuard guard;
    private final FrameCache cache;
    private final SqlLimits limits;

    public ExecutionService(Database database, SqlGuard guard, FrameCache cache) {
        this.database = requireNonNull(database, "database");
        this.guard = requireNonNull(guard, "guard");
        this.cache = requireNonNull(cache, "cache");
        this.limits = database.limits();
    }

    public ExecutionResult executeSql(String sql, int previewRows, Optional<String> requestId) {
        long started = System.nanoTime();
        GuardedStatement statement = guard.check(sql);
        Provenance provenance = new Provenance("sql", sql, List.of(), requestId);
        List<Object[]> preview = new ArrayList<>(Math.min(previewRows, 1024));
        FrameMeta meta = database.readOnly(connection -> {
            try (Statement st = connection.createStatement()) {
                st.setFetchSize(limits.fetchSize());
                // The original text is executed, never a re-printed parse tree.
                if (!st.execute(statement.sql())) {
                    throw new IllegalStateException("A guarded read query returned no result set");
                }
                try (ResultSet rs = st.getResultSet()) {
                    JdbcFrames frames = JdbcFrames.of(rs.getMetaData());
                    List<FrameColumn> columns = frames.columns();
                    try (FrameWriter writer = cache.create(columns, provenance)) {
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
                                if (preview.size() < previewRows) {
                                    preview.add(row);
                                }
                                rows++;
                            }
                            pipeline.finish();
                        }
                        // Only now, with the pipeline drained, does this thread own the writer again.
                        if (truncated) {
                            writer.markTruncated();
                        }
                        return writer.commit();
                    }
                }
            }
        });
        double elapsedMs = (System.nanoTime() - started) / 1_000_000.0;
        log.debug("SQL executed in {} ms: {} rows into frame {}", elapsedMs, meta.rowCount(), meta.key());
        return new ExecutionResult("success",
                new ExecutionResult.Metadata(Math.round(elapsedMs * 100) / 100.0, meta.rowCount(), preview.size(),
                        preview.size() < meta.rowCount(), meta.truncated(),
                        meta.columns().stream().map(ResultColumn::of).toList(),
                        List.copyOf(new java.util.TreeSet<>(statement.tables()))),
                new ExecutionResult.Data(meta.columns().stream().map(c -> c.name()).toList(), preview),
                meta.key());
    }
}
