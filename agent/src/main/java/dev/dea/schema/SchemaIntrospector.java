package dev.dea.schema;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Reads one dialect's catalog into the common schema model. Implementations live in a package
 * named for their dialect ({@code schema.postgresql}, {@code schema.mysql}); datasource.DatasourceFactory picks
 * one by the datasource's dialect, so {@link SchemaService} never asks which database it talks to.
 */
public interface SchemaIntrospector {
    /** The whole schema, read on a connection the caller owns (and closes). */
    DatabaseSchema read(Connection c, Instant now) throws SQLException;
}
