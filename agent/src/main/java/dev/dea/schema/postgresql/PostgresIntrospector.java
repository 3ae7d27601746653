package dev.dea.schema.postgresql;

import dev.dea.schema.DatabaseSchema;
import dev.dea.schema.SchemaIntrospector;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/** PostgreSQL's schema from pg_catalog: six whole-database queries, see {@link CatalogQueries}. */
public final class PostgresIntrospector implements SchemaIntrospector {
    @Override
    public DatabaseSchema read(Connection c, Instant now) throws SQLException {
        return SchemaReader.read(c, now);
    }
}
