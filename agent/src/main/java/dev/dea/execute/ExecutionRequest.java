package dev.dea.execute;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dea.error.AgentException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One step as every caller asks for it (the HTTP routes, the MCP tools, the jobs): the one
 * way into {@link ExecutionService#execute}. The inputs are checked here, once, for all of
 * them: names, that a name is not given twice (cache keys and inline data share names), and
 * their number.
 *
 * @param datasource  which datasource a SQL step runs on; empty means the default one
 * @param cacheKeys   input name -> cache key of an earlier result (Python only)
 * @param inlineData  input name -> {@code {columns, rows}} sent with the request (Python only),
 *                    stored as frames before the step runs
 * @param exactDecimals Python only: decimal columns reach pandas as exact {@code Decimal} objects
 *                    instead of {@code float64} (what {@code pd.read_sql} gives by default)
 */
public record ExecutionRequest(Kind kind, String code, Optional<String> datasource, Map<String, String> cacheKeys,
                               Map<String, JsonNode> inlineData, int previewRows, boolean exactDecimals) {
    public enum Kind {
        SQL, PYTHON;

        /** The wire name of the language, as in {@code /execute}'s {@code language}. */
        public String language() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ExecutionRequest {
        requireNonNull(kind, "kind");
        requireNonNull(code, "code");
        requireNonNull(datasource, "datasource");
        cacheKeys = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(cacheKeys, "cacheKeys")));
        inlineData = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(inlineData, "inlineData")));
        if (previewRows < 0) {
            throw new IllegalArgumentException("previewRows must be >= 0, got " + previewRows);
        }
        if (kind == Kind.SQL && (!cacheKeys.isEmpty() || !inlineData.isEmpty())) {
            throw AgentException.validation("A SQL step takes no input frames");
        }
        if (kind == Kind.SQL && exactDecimals) {
            throw AgentException.validation("exact_decimals applies to Python steps only: SQL results keep decimals exact");
        }
        int inputs = 0;
        for (String name : cacheKeys.keySet()) {
            checkName(name, ++inputs);
        }
        for (String name : inlineData.keySet()) {
            checkName(name, ++inputs);
            if (cacheKeys.containsKey(name)) {
                throw AgentException.validation("Input name '" + name + "' is given twice (cache_keys and input_data share names)");
            }
        }
    }

    public static ExecutionRequest sql(String code, int previewRows) {
        return new ExecutionRequest(Kind.SQL, code, Optional.empty(), Map.of(), Map.of(), previewRows, false);
    }

    /** This step on {@code datasource} (empty: the default one). */
    public ExecutionRequest on(Optional<String> datasource) {
        return new ExecutionRequest(kind, code, datasource, cacheKeys, inlineData, previewRows, exactDecimals);
    }

    /** This step with decimals as exact {@code Decimal} objects in pandas ({@code exact}) or as float64. */
    public ExecutionRequest withExactDecimals(boolean exact) {
        return new ExecutionRequest(kind, code, datasource, cacheKeys, inlineData, previewRows, exact);
    }

    public static ExecutionRequest python(String code, Map<String, String> cacheKeys, Map<String, JsonNode> inlineData,
                                          int previewRows) {
        return new ExecutionRequest(Kind.PYTHON, code, Optional.empty(), cacheKeys, inlineData, previewRows, false);
    }

    private static void checkName(String name, int count) {
        StepLimits.inputName(name);
        if (count > StepLimits.MAX_INPUTS) {
            throw AgentException.validation("A step may read at most " + StepLimits.MAX_INPUTS + " frames");
        }
    }
}
