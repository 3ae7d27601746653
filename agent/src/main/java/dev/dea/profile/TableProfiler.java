package dev.dea.profile;

import dev.dea.schema.DatabaseSchema;
import dev.dea.schema.TableInfo;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Computes one table's profile inside one dialect's database; only aggregates come back, never
 * rows. {@link ProfileService} resolves the name, admits the request and shares the result;
 * datasource.DatasourceFactory picks the implementation by the datasource's dialect.
 */
public interface TableProfiler {
    /** The profile of {@code table} (resolved in {@code schema}), on a read-only connection the caller owns. */
    TableProfile profile(Connection c, TableInfo table, DatabaseSchema schema, DistributionMode mode)
            throws SQLException;

    /**
     * As above, with a second connection the profiler may use for part of its work when
     * {@code spare} is available; profilers that gain nothing from it ignore it.
     */
    default TableProfile profile(Connection c, TableInfo table, DatabaseSchema schema, DistributionMode mode,
                                 SpareConnection spare) throws SQLException {
        return profile(c, table, schema, mode);
    }
}
