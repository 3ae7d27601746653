package dev.dea.mcp;

import dev.dea.upload.Uploads;
import io.modelcontextprotocol.spec.McpSchema;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tools as a model sees them: names, input schemas and descriptions written for the
 * model (what the tool does, when to use it, its limits, how results chain by cache key).
 * Pure data; {@link AgentTools} implements them.
 */
final class ToolCatalog {
    static final String DESCRIBE_SCHEMA = "describe_schema";
    static final String PROFILE_TABLE = "profile_table";
    static final String RUN_SQL = "run_sql";
    static final String RUN_PYTHON = "run_python";
    static final String RUN_PYTHON_ON_FRAMES = "run_python_on_frames";
    static final String GET_FRAME = "get_frame";
    static final String UPLOAD_FRAME = "upload_frame";

    static final int DEFAULT_PREVIEW_ROWS = 10;
    static final int MAX_PREVIEW_ROWS = 50;

    private static final String RESULT_SHAPE = " Returns JSON: cache_key, row_count, columns (name, pandas dtype 'type', "
            + "'sql_type', 'kind' and stats computed over ALL rows: count, null_count, distinct_count, min, max, mean, std, "
            + "top_values; distinct values are counted up to 10,000, so with distinct_count_exact false distinct_count "
            + "is only a lower bound and top_values cover the rows read until then) and 'rows', a preview of the first preview_rows rows (default 10, at most 50; cells over 200 "
            + "characters are cut). The whole result stays cached on the agent under cache_key (for about a day, unless "
            + "evicted): pass it to run_python_on_frames to keep working on it or to get_frame to look at it again, "
            + "instead of running the step again.";

    private static final String PYTHON_ENV = " The code runs in a fresh, network-less sandbox with limited memory, CPU "
            + "and time; it can read no files and keeps no state between calls. Available names: pd (pandas), np (numpy), "
            + "plt (matplotlib: figures left open are returned as PNG images), OUT_DIR (a folder: .csv, .xlsx, .html, "
            + ".svg, .png, .json, .txt files written to it are listed under artifacts with a key to download), and sql(query), which runs one read-only "
            + "SELECT against the database through the same guard as run_sql and returns a DataFrame "
            + "(pd.read_sql(query, conn) works as well); sql(query, datasource=\"name\") and pd.read_sql(query, "
            + "conns[\"name\"]) query another of the agent's datasources. To return data, assign it to result_df (a DataFrame, a "
            + "Series or a scalar): it is cached under cache_key for later steps. A step that only prints or draws "
            + "succeeds with frame_created false and no cache_key; one that does none of the three fails with "
            + "NO_RESULT. print() output comes back as stdout. If the code raises, the tool fails with type "
            + "EXECUTION_ERROR, the exception, its message and the line in your code; a query refused inside sql() is an "
            + "EXECUTION_ERROR whose message names SQL_REJECTED.";

    private ToolCatalog() {
    }

    private static final List<McpSchema.Tool> TOOLS = List.of(describeSchema(), profileTable(), runSql(), runPython(),
            runPythonOnFrames(), getFrame(), uploadFrame());

    static List<McpSchema.Tool> tools() {
        return TOOLS;
    }

    /** The argument names a tool accepts; anything else is refused with the list. */
    static Set<String> arguments(String tool) {
        return TOOLS.stream().filter(t -> t.name().equals(tool)).findFirst()
                .map(t -> ((Map<?, ?>) t.inputSchema().get("properties")).keySet().stream().map(String::valueOf)
                        .collect(java.util.stream.Collectors.toUnmodifiableSet()))
                .orElseThrow(() -> new IllegalArgumentException("no tool " + tool));
    }

    static McpSchema.Tool describeSchema() {
        return tool(DESCRIBE_SCHEMA, "Describe the database schema",
                "Describe the database this agent serves (or the one named by 'datasource'). Call it first, before writing SQL. Without "
                        + "arguments: every table, view and materialized view, compactly: qualified name, kind, approximate "
                        + "row count, one string per column ('name type', then PK, NOT NULL or enum(values)) and foreign "
                        + "keys ('column -> schema.table(column)'). Partitions are folded into their parent table: query the "
                        + "parent. With 'table': that one table in full (column defaults, comments, enum values, primary and "
                        + "foreign keys, indexes). Reads the catalog only (cached for a few minutes), never table rows.",
                ordered("table", stringProperty("Optional. One table or view, e.g. 'film', 'public.film' or '\"Mixed Case\"'. "
                        + "Omit it for the overview of all tables."), "datasource", datasourceProperty()),
                List.of());
    }

    static McpSchema.Tool profileTable() {
        return tool(PROFILE_TABLE, "Profile a table's data",
                "Profile the data of one table or view, computed inside the database: row count and, per column, null and "
                        + "distinct counts, min, max, mean, stddev, quartiles, the most frequent values with their counts, "
                        + "example values and text lengths. Use it to learn value ranges, categories and data quality before "
                        + "writing queries. Large tables are profiled on a sample: then 'sampled' is true and estimated "
                        + "statistics are labelled. Costs one or two scans of the table; for structure alone use "
                        + "describe_schema. Unknown tables fail with type NOT_FOUND and suggestions.",
                ordered("table", stringProperty("The table or view, e.g. 'film' or 'public.film'."),
                        "datasource", datasourceProperty()),
                List.of("table"));
    }

    static McpSchema.Tool runSql() {
        return tool(RUN_SQL, "Run a read-only SQL query",
                "Run ONE read-only SQL query, in the dialect of its datasource (PostgreSQL or MySQL/MariaDB, as the server's "
                        + "instructions say), and cache its full result. Only a single SELECT, "
                        + "WITH ... SELECT, set operation, VALUES or TABLE statement is accepted; anything that writes or "
                        + "changes state (INSERT, UPDATE, DELETE, DDL, SET, transactions, locking clauses, SELECT INTO, "
                        + "several statements, dangerous functions or system catalogs) fails with type SQL_REJECTED and the "
                        + "'rule' that refused it. Queries run in a read-only transaction with a time limit (TIMEOUT); "
                        + "The database's own errors come back as SQL_ERROR with its message (and PostgreSQL's position and hint, MySQL's error_code). Aggregate in "
                        + "SQL where you can: the statistics cover every row, the preview only the first few."
                        + RESULT_SHAPE,
                ordered("sql", stringProperty("The SELECT query."), "preview_rows", previewProperty(),
                        "datasource", datasourceProperty()),
                List.of("sql"));
    }

    static McpSchema.Tool runPython() {
        return tool(RUN_PYTHON, "Run pandas code on the database",
                "Run Python 3 / pandas code, typically to query with sql() and transform, compute or plot what SQL "
                        + "cannot do easily, and cache its result_df." + PYTHON_ENV
                        + " To continue from an earlier result, use run_python_on_frames with its cache_key instead of "
                        + "querying again." + RESULT_SHAPE,
                ordered("code", stringProperty("Python code that assigns result_df, e.g. "
                        + "\"df = sql('SELECT rating, count(*) AS n FROM film GROUP BY 1')\\nresult_df = df.sort_values('n')\"."),
                        "preview_rows", previewProperty(), "exact_decimals", exactDecimalsProperty()),
                List.of("code"));
    }

    static McpSchema.Tool runPythonOnFrames() {
        return tool(RUN_PYTHON_ON_FRAMES, "Run pandas code on cached results",
                "Run Python 3 / pandas code on results of earlier steps without querying again. 'cache_keys' maps names "
                        + "you choose to cache keys returned by run_sql, run_python or run_python_on_frames, e.g. "
                        + "{\"payments\": \"<cache_key>\"}, and/or 'input_data' sends small tables inline; each input is a DataFrame in "
                        + "input_data['payments'] "
                        + "with its types (dates, timestamps and NULLs preserved; numeric/DECIMAL columns as float64). The result gets its own "
                        + "cache_key, so steps chain: SQL -> pandas -> pandas. At most 32 inputs; an unknown or expired key "
                        + "fails with type NOT_FOUND (run the step that produced it again)." + PYTHON_ENV + RESULT_SHAPE,
                ordered("code", stringProperty("Python code that reads input_data[name] and assigns result_df, e.g. "
                                + "\"df = input_data['payments']\\nresult_df = df.groupby('customer_id')['amount'].sum().reset_index()\"."),
                        "cache_keys", Map.of("type", "object",
                                "description", "Input name -> cache_key of an earlier result, e.g. {\"payments\": \"<cache_key>\"}.",
                                "additionalProperties", Map.of("type", "string")),
                        "input_data", Map.of("type", "object",
                                "description", "Input name -> a small table sent with the call, {\"columns\": [names], "
                                        + "\"rows\": [[values], ...]}, e.g. a lookup list to join on. Kinds are inferred: "
                                        + "integers, other numbers, booleans, strings. Names are shared with cache_keys.",
                                "additionalProperties", Map.of("type", "object")),
                        "preview_rows", previewProperty(), "exact_decimals", exactDecimalsProperty()),
                List.of("code"));
    }

    static McpSchema.Tool getFrame() {
        return tool(GET_FRAME, "Look at a cached result",
                "Look at a cached result again by its cache_key: row count, columns with statistics over all rows, "
                        + "provenance (the SQL or code that produced it and the frames it read) and a preview of the first "
                        + "preview_rows rows (default 10, at most 50). Cached results expire (about a day) or are evicted "
                        + "when the cache is full: then the tool fails with type NOT_FOUND and the step must be run again.",
                ordered("cache_key", stringProperty("A cache_key returned by run_sql, run_python or run_python_on_frames."),
                        "preview_rows", previewProperty()),
                List.of("cache_key"));
    }

    static McpSchema.Tool uploadFrame() {
        return tool(UPLOAD_FRAME, "Cache a file's table as a frame",
                "Store a CSV, TSV, JSON Lines, Arrow IPC or xlsx file as a cached result, e.g. a list the user gave you "
                        + "to join with the database in run_python_on_frames. Column kinds are inferred (integers, "
                        + "decimals, dates, timestamps, booleans, text); 'types' overrides them. A malformed file fails "
                        + "with type VALIDATION_ERROR naming the row and column, and nothing is cached. The whole call is "
                        + "bounded by the agent's request size limit; for tables of a few rows, input_data of "
                        + "run_python_on_frames is simpler." + RESULT_SHAPE,
                ordered("content", stringProperty("The file's content: as text for csv, tsv and jsonl; base64-encoded "
                                + "for arrow and xlsx (and for text formats when 'base64' is true)."),
                        "format", Map.of("type", "string", "enum", Uploads.FORMATS.stream()
                                        .map(Uploads.Format::name).toList(),
                                "description", "The file's format."),
                        "base64", Map.of("type", "boolean", "description", "Whether 'content' is base64-encoded "
                                + "(default: true for arrow and xlsx, false otherwise)."),
                        "name", stringProperty("Optional. Recorded as the frame's source, e.g. the file name."),
                        "types", stringProperty("Optional. Kinds instead of the inferred ones, e.g. "
                                + "'id:int64,price:decimal,day:date' (int64, float64, decimal, bool, string, date, "
                                + "timestamp, timestamptz, time, json, bytes)."),
                        "header", Map.of("type", "boolean", "default", true,
                                "description", "csv/tsv: whether the first line names the columns."),
                        "sheet", stringProperty("Optional. xlsx: the sheet's name or 1-based number (default: the first)."),
                        "preview_rows", previewProperty()),
                List.of("content", "format"));
    }

    private static McpSchema.Tool tool(String name, String title, String description, Map<String, Object> properties,
                                       List<String> required) {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", new LinkedHashMap<>(properties));
        if (!required.isEmpty()) {
            schema.put("required", required);
        }
        schema.put("additionalProperties", false);
        return McpSchema.Tool.builder().name(name).title(title).description(description).inputSchema(schema)
                // Nothing a tool does changes the database; results are only added to the agent's own cache.
                .annotations(new McpSchema.ToolAnnotations(title, true, false, false, false, null))
                .build();
    }

    private static Map<String, Object> ordered(Object... namesAndSchemas) {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (int i = 0; i < namesAndSchemas.length; i += 2) {
            properties.put((String) namesAndSchemas[i], namesAndSchemas[i + 1]);
        }
        return properties;
    }

    private static Map<String, Object> stringProperty(String description) {
        return Map.of("type", "string", "description", description);
    }

    /** The agent may serve several databases; the tools take one by name, the default one when omitted. */
    private static Map<String, Object> datasourceProperty() {
        return stringProperty("Optional. Which of the agent's databases to use, by name (GET /datasources lists them); "
                + "omit it for the default one. An unknown name fails with type NOT_FOUND listing the names.");
    }

    /** The same option as the HTTP body's exact_decimals (README, "Which dtype each SQL type becomes"). */
    private static Map<String, Object> exactDecimalsProperty() {
        return Map.of("type", "boolean", "default", false, "description", "Optional. true loads numeric/DECIMAL "
                + "columns as exact decimal.Decimal objects (dtype object) instead of float64: for money arithmetic "
                + "that must not round. Decimal objects break describe(), plots and arithmetic with floats.");
    }

    private static Map<String, Object> previewProperty() {
        return Map.of("type", "integer", "minimum", 0, "maximum", MAX_PREVIEW_ROWS, "default", DEFAULT_PREVIEW_ROWS,
                "description", "How many of the first rows to show (default " + DEFAULT_PREVIEW_ROWS + ", at most "
                        + MAX_PREVIEW_ROWS + "). The statistics always cover every row.");
    }
}
