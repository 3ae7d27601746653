package dev.dea.mcp;

import io.modelcontextprotocol.server.McpStatelessServerFeatures.SyncPromptSpecification;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;

import java.util.List;
import java.util.Map;

/** What the server tells a model up front, and the {@code analyze_table} prompt: text only. */
final class Instructions {
    private static final String HOW = "Start with describe_schema, then profile_table for the tables that matter. run_sql runs "
            + "one SELECT in its datasource's SQL dialect; run_python runs pandas code that can query with sql(); every "
            + "result is cached under a cache_key that run_python_on_frames (input_data[name]) and get_frame take, so "
            + "chain steps instead of re-running queries; upload_frame caches a file (CSV, JSON Lines, xlsx, ...) the same way. Tool errors carry a 'type' (SQL_REJECTED with 'rule', "
            + "SQL_ERROR, EXECUTION_ERROR with 'line', NOT_FOUND, TIMEOUT, ...) and a message saying what to change.";

    /**
     * What the server says up front: which databases it serves and in which SQL dialect, so a model
     * writes MySQL for a MySQL datasource; {@code datasources} is {@code (name, dialect, default)}.
     */
    static String server(List<Map.Entry<String, String>> datasources, String defaultName) {
        if (datasources.size() == 1) {
            return "Read-only access to one " + datasources.getFirst().getValue() + " database through a Data Execution "
                    + "Agent. " + HOW;
        }
        StringBuilder sb = new StringBuilder("Read-only access to " + datasources.size()
                + " databases through a Data Execution Agent; pass 'datasource' to describe_schema, profile_table and "
                + "run_sql (without it: '" + defaultName + "'), and sql(query, datasource=NAME) in Python: ");
        for (int i = 0; i < datasources.size(); i++) {
            var d = datasources.get(i);
            sb.append(i == 0 ? "" : ", ").append("'").append(d.getKey()).append("' (").append(d.getValue()).append(")");
        }
        return sb.append(". ").append(HOW).toString();
    }

    static final String ANALYZE_TABLE = "analyze_table";

    private Instructions() {
    }

    static SyncPromptSpecification analyzeTablePrompt() {
        McpSchema.Prompt prompt = new McpSchema.Prompt(ANALYZE_TABLE, "Analyze a table",
                "A step-by-step exploratory analysis of one table with this server's tools.",
                List.of(new McpSchema.PromptArgument("table", "Table", "The table to analyze, e.g. 'payment'.", true),
                        new McpSchema.PromptArgument("question", "Question",
                                "Optional: what you want to learn from it.", false)));
        return new SyncPromptSpecification(prompt, (context, request) -> {
            Map<String, Object> args = request.arguments() == null ? Map.of() : request.arguments();
            if (!(args.get("table") instanceof String table) || table.isBlank()) {
                throw McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS).message("Argument 'table' is required").build();
            }
            String question = args.get("question") instanceof String q && !q.isBlank() ? q.strip() : null;
            return new McpSchema.GetPromptResult("Analyze " + table,
                    List.of(new McpSchema.PromptMessage(McpSchema.Role.USER, new McpSchema.TextContent(text(table.strip(), question)))));
        });
    }

    static String text(String table, String question) {
        return "Analyze the table " + table + " of the database." + (question == null ? "" : " Question: " + question)
                + "\n\n1. Call describe_schema with table=" + table + " for its columns, keys and the tables it references."
                + "\n2. Call profile_table with table=" + table + " for value ranges, null rates, categories and data quality."
                + "\n3. Answer with run_sql: aggregate in SQL (GROUP BY, joins along the foreign keys) and keep previews small."
                + "\n4. For what SQL does badly (reshaping, rolling windows, statistics, charts), pass the cache_key of a "
                + "run_sql result to run_python_on_frames and work on input_data[name] with pandas; a figure left open "
                + "with plt is returned as an image."
                + "\n5. Report the findings with the numbers behind them, what looks wrong in the data, and the queries "
                + "you would run next.";
    }
}
