package dev.dea.datasource;

import dev.dea.config.DatasourceConfig;
import dev.dea.db.Database;
import dev.dea.execute.SqlRunner;
import dev.dea.profile.ProfileService;
import dev.dea.schema.SchemaService;
import dev.dea.sql.StatementGuard;

import static java.util.Objects.requireNonNull;

/** One named database and the services that work on it, built by {@link DatasourceFactory}. */
public record Datasource(
        DatasourceConfig config,
        Database database,
        StatementGuard guard,
        SchemaService schema,
        ProfileService profiles,
        SqlRunner sqlRunner,
        CircuitBreaker breaker) {

    public Datasource {
        requireNonNull(config, "config");
        requireNonNull(database, "database");
        requireNonNull(guard, "guard");
        requireNonNull(schema, "schema");
        requireNonNull(profiles, "profiles");
        requireNonNull(sqlRunner, "sqlRunner");
        requireNonNull(breaker, "breaker");
    }

    public String name() {
        return config.name();
    }

    public boolean isDefault() {
        return config.isDefault();
    }
}
