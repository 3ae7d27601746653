package dev.dea.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.dea.cache.FrameMeta;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns what the runner or the engine reported into the AgentException a client sees,
 * saying what happened (exit code, OOM kill, the runner's own words) rather than just
 * "it failed".
 */
final class RunnerErrors {
    /** SIGKILL: with our own kill excluded (timeouts are flagged), the kernel's OOM killer. */
    private static final long EXIT_SIGKILL = 137;
    /** SIGTERM, which the runner answers by exiting at once: only the engine sends it (a restart, a docker stop). */
    private static final long EXIT_SIGTERM = 143;

    /*
     * What the runner says of an error, as the code can also write it: an exception's name, its message and the
     * traceback, each far past any real one before it is cut.
     */
    private static final int MAX_NAME_CHARS = 200;
    private static final int MAX_MESSAGE_CHARS = 16 << 10;
    private static final int MAX_TRACEBACK_CHARS = 64 << 10;

    private RunnerErrors() {
    }

    /** An error result: the code raised, did not set result_df, or returned something unusable. */
    static AgentException userError(JsonNode error, String stdout, String stderr) {
        String kind = RunnerExchange.clip(error.path("type").asText("EXECUTION_ERROR"), MAX_NAME_CHARS);
        Optional<String> exception = text(error.path("exception"), MAX_NAME_CHARS);
        String message = RunnerExchange.clip(error.path("message").asText(""), MAX_MESSAGE_CHARS);
        Map<String, Object> details = new LinkedHashMap<>();
        exception.ifPresent(e -> details.put("exception", e));
        if (error.path("line").canConvertToInt()) {
            details.put("line", error.path("line").intValue());
        }
        text(error.path("traceback"), MAX_TRACEBACK_CHARS).ifPresent(t -> details.put("traceback", t));
        details.put("stdout", stdout);
        details.put("stderr", stderr);
        if (!"EXECUTION_ERROR".equals(kind)) {
            details.put("error", kind);
        }
        JsonNode sqlError = error.path("sql_error");
        if (sqlError.isObject()) {
            Map<String, Object> sql = new LinkedHashMap<>();
            sql.put("type", RunnerExchange.clip(sqlError.path("type").asText(), MAX_NAME_CHARS));
            sql.put("message", RunnerExchange.clip(sqlError.path("message").asText(), MAX_MESSAGE_CHARS));
            details.put("sql_error", sql);
        }
        if ("RESULT_TOO_LARGE".equals(kind)) {
            return new AgentException(ErrorType.RESULT_TOO_LARGE, message, details, null);
        }
        // Python's MemoryError is the allocator refusing under the cgroup limit, the OOM kill's milder twin.
        if (exception.filter("MemoryError"::equals).isPresent()) {
            return new AgentException(ErrorType.MEMORY_LIMIT,
                    "The code ran out of memory (MemoryError) within the sandbox memory limit", details, null);
        }
        String text = exception.map(e -> e + ": " + message).orElse(message);
        return new AgentException(ErrorType.EXECUTION_ERROR, text, details, null);
    }

    /** The runner reported its own failure before exiting. */
    static AgentException fatal(JsonNode error) {
        String kind = RunnerExchange.clip(error.path("type").asText("INTERNAL"), MAX_NAME_CHARS);
        String message = "The sandbox runner failed (" + kind + "): "
                + RunnerExchange.clip(error.path("exception").asText("error"), MAX_NAME_CHARS) + ": "
                + RunnerExchange.clip(error.path("message").asText(""), MAX_MESSAGE_CHARS);
        Map<String, Object> details = new LinkedHashMap<>();
        text(error.path("traceback"), MAX_TRACEBACK_CHARS).ifPresent(t -> details.put("traceback", t));
        // The runner shares its process with the code, which can write this message itself: whatever it
        // says, it is the step's error, never the agent's INTERNAL (an ERROR log and alert the code could
        // raise at will). A real disagreement between agent and image shows in the message and in the
        // warning the exchange logs.
        return new AgentException(ErrorType.EXECUTION_ERROR, message, details, null);
    }

    /**
     * The runner's stream broke the protocol: a line that is not a message, an unexpected
     * message, a malformed row or a line over the limit. User code can reach the channel
     * (it shares the runner's process), so this ends the step as the code's error.
     */
    static AgentException protocolViolation(String what, String containerId) {
        String cut = what.length() > 300 ? what.substring(0, 300) + "..." : what;
        return new AgentException(ErrorType.EXECUTION_ERROR, "The sandbox broke the runner protocol (" + cut
                + "); the step was ended and container " + containerId + " killed. Code must not write to the "
                + "runner's private descriptors", Map.of("protocol_error", cut), null);
    }

    static AgentException timeout(Duration limit) {
        return new AgentException(ErrorType.TIMEOUT, "The code did not finish within the sandbox time limit of "
                + limit.toSeconds() + " s (SANDBOX_TIMEOUT_SECONDS); the container was killed",
                Map.of("timeout_seconds", limit.toSeconds()), null);
    }

    /**
     * The runner's stream ended (or broke) without a result. The container's final state
     * tells an OOM kill from a crash.
     */
    static AgentException died(Optional<InspectContainerResponse.ContainerState> state, String what, String stderrTail,
                               int memoryMb, String containerId) {
        Long exitCode = state.map(InspectContainerResponse.ContainerState::getExitCodeLong).orElse(null);
        boolean oomKilled = state.map(s -> Boolean.TRUE.equals(s.getOOMKilled())).orElse(false);
        Map<String, Object> details = new LinkedHashMap<>();
        if (exitCode != null) {
            details.put("exit_code", exitCode);   // AgentException details hold no nulls
        }
        details.put("oom_killed", oomKilled);
        if (!stderrTail.isEmpty()) {
            details.put("runner_stderr", stderrTail);
        }
        if (!oomKilled && exitCode != null && exitCode == EXIT_SIGTERM) {
            return new AgentException(ErrorType.SANDBOX_UNAVAILABLE, "The Docker engine stopped container " + containerId
                    + " while the code ran (SIGTERM: an engine restart or a docker stop); retry the step", details, null);
        }
        if (oomKilled || (exitCode != null && exitCode == EXIT_SIGKILL)) {
            return new AgentException(ErrorType.MEMORY_LIMIT, "The code exceeded the sandbox memory limit of "
                    + memoryMb + " MB (SANDBOX_MEMORY_MB) and was killed (exit code " + exitCode
                    + ", OOMKilled " + oomKilled + ")", details, null);
        }
        String diagnosis = "The sandbox ended without a result: " + what + "; container " + containerId
                + (state.isPresent() ? " exited with code " + exitCode + ", OOMKilled " + oomKilled
                        + Optional.ofNullable(state.get().getError()).filter(e -> !e.isBlank()).map(e -> ", engine error: " + e).orElse("")
                        : " (its final state is unknown)")
                + (stderrTail.isEmpty() ? "" : "; runner stderr: " + lastLines(stderrTail, 5));
        return new AgentException(ErrorType.EXECUTION_ERROR, diagnosis, details, null);
    }

    /**
     * A memory-limit failure of a step with input frames, with their size added: the limit alone
     * does not tell a caller (often an LLM writing the next attempt) that the inputs were what
     * filled it, nor what to change. Loaded into pandas, a frame holds several times its stored
     * size when it has text (one Python object per distinct value), and a filter or sort makes a
     * second frame of that size (README, "Memory for a million rows"). Other errors pass unchanged.
     */
    static AgentException withInputSizes(AgentException e, List<FrameMeta> inputs) {
        if (e.type() != ErrorType.MEMORY_LIMIT || inputs.isEmpty()) {
            return e;
        }
        long rows = inputs.stream().mapToLong(FrameMeta::rowCount).sum();
        long bytes = inputs.stream().mapToLong(FrameMeta::bytes).sum();
        FrameMeta largest = inputs.stream().max(Comparator.comparingLong(FrameMeta::bytes)).orElseThrow();
        Map<String, Object> details = new LinkedHashMap<>(e.details());
        details.put("input_rows", rows);
        details.put("input_bytes", bytes);
        String held = inputs.size() == 1 ? "Its input frame holds " : "Its " + inputs.size() + " input frames hold ";
        String largestOfSeveral = inputs.size() == 1 ? "" : "; the largest " + thousands(largest.rowCount()) + " rows x "
                + largest.columns().size() + " columns";
        String message = e.getMessage() + ". " + held + thousands(rows) + " rows (" + megabytes(bytes) + " as stored"
                + largestOfSeveral + "): in pandas a frame takes more memory than stored, and a filter or sort makes "
                + "a second one. Load fewer rows or columns (filter or aggregate in SQL first), or raise SANDBOX_MEMORY_MB";
        return new AgentException(e.type(), message, details, e.getCause());
    }

    private static String thousands(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String megabytes(long bytes) {
        return bytes < (1 << 20) ? thousands(bytes) + " bytes"
                : String.format(Locale.ROOT, "%.1f MB", bytes / (double) (1 << 20));
    }

    private static String lastLines(String text, int n) {
        String[] lines = text.split("\n");
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(0, lines.length - n); i < lines.length; i++) {
            sb.append(sb.isEmpty() ? "" : " | ").append(lines[i].strip());
        }
        return sb.length() > 1000 ? sb.substring(sb.length() - 1000) : sb.toString();
    }

    private static Optional<String> text(JsonNode node, int maxChars) {
        return node == null || node.isNull() || node.isMissingNode() ? Optional.empty()
                : Optional.of(RunnerExchange.clip(node.asText(), maxChars));
    }
}
