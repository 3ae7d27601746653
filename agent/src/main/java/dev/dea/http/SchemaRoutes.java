package dev.dea.http;

import dev.dea.datasource.Datasources;
import dev.dea.jobs.JobService;
import dev.dea.error.ErrorType;
import dev.dea.openapi.ApiOperation;
import dev.dea.openapi.ApiTag;
import dev.dea.openapi.SchemaRef;
import dev.dea.profile.DistributionMode;
import dev.dea.profile.TableProfile;
import dev.dea.schema.DatabaseSchema;
import io.javalin.http.Context;

/** {@code /schema}, {@code /schema/refresh} and {@code /schema/{table}/profile}. */
final class SchemaRoutes {
    private static final ApiTag SCHEMA = new ApiTag("schema", 
            "What the database holds: relations, columns, keys, and per-column profiles.");
    private final Datasources datasources;
    private final JobService jobs;

    SchemaRoutes(Datasources datasources, JobService jobs) {
        this.datasources = datasources;
        this.jobs = jobs;
    }

    void register(ApiRoutes api) {
        api.add(ApiOperation.get("/schema").tag(SCHEMA)
                .summary("Tables, views, columns, keys and indexes of every non-system schema")
                .description("Cached for SCHEMA_CACHE_TTL_SECONDS.")
                .queryParam(DatasourceRoutes.PARAM, DatasourceRoutes.PARAM_DESCRIPTION, DatasourceRoutes.PARAM_SCHEMA)
                .ok("The database schema", SchemaRef.of(DatabaseSchema.class))
                .errors(ErrorType.NOT_FOUND, ErrorType.DB_UNAVAILABLE).build(), this::schema);
        api.add(ApiOperation.post("/schema/refresh").tag(SCHEMA)
                .summary("Rebuild the schema cache now")
                .queryParam(DatasourceRoutes.PARAM, DatasourceRoutes.PARAM_DESCRIPTION, DatasourceRoutes.PARAM_SCHEMA)
                .ok("The fresh database schema", SchemaRef.of(DatabaseSchema.class))
                .errors(ErrorType.NOT_FOUND, ErrorType.DB_UNAVAILABLE).build(), this::refresh);
        api.add(ApiOperation.get("/schema/{table}/profile").tag(SCHEMA)
                .summary("Per-column statistics of one table, computed in the database")
                .description("Sampled above PROFILE_SAMPLE_ABOVE_ROWS rows (PostgreSQL: TABLESAMPLE; MySQL/MariaDB: "
                        + "primary-key ranges or runs, or RAND()); `sample.method` says which. What is exact and what is a "
                        + "labelled estimate is in docs/profiles.md.")
                .pathParam("table", "`table` or `schema.table`, as in SQL (quote identifiers that need it)",
                        SchemaRef.inline("{\"type\": \"string\", \"minLength\": 1}"))
                .queryParam("distribution", "auto (default): above PROFILE_ESTIMATE_ABOVE_ROWS, histograms and top "
                        + "values of a table read in full are estimates, labelled as such (PostgreSQL: from pg_stats "
                        + "where fresh; MySQL/MariaDB: from a sample); exact: always count them (one more scan)",
                        SchemaRef.inline("{\"type\": \"string\", \"enum\": [\"auto\", \"exact\"]}"))
                .queryParam(DatasourceRoutes.PARAM, DatasourceRoutes.PARAM_DESCRIPTION, DatasourceRoutes.PARAM_SCHEMA)
                .ok("The table's profile", SchemaRef.of(TableProfile.class))
                .apply(JobRoutes::asyncCapable)
                .errors(ErrorType.NOT_FOUND, ErrorType.VALIDATION_ERROR, ErrorType.TIMEOUT, ErrorType.SQL_ERROR,
                        ErrorType.DB_UNAVAILABLE, ErrorType.TOO_MANY_REQUESTS).build(), this::profile);
    }

    void schema(Context ctx) {
        ctx.json(datasources.use(DatasourceRoutes.param(ctx), d -> d.schema().schema()));
    }

    void refresh(Context ctx) {
        ctx.json(datasources.use(DatasourceRoutes.param(ctx), d -> d.schema().refresh()));
    }

    void profile(Context ctx) {
        DistributionMode mode = DistributionMode.parse(ctx.queryParam("distribution"));
        var datasource = DatasourceRoutes.param(ctx);
        if (JobRoutes.respondAsync(ctx)) {
            // An unknown name is a 404 now, not a failed job later.
            datasources.get(datasource);
            JobRoutes.accepted(ctx, jobs.submitProfile(datasource, ctx.pathParam("table"), mode, ExecuteRoutes.context(ctx)));
        } else {
            ctx.json(datasources.use(datasource, d -> d.profiles().profile(ctx.pathParam("table"), mode)));
        }
    }
}
