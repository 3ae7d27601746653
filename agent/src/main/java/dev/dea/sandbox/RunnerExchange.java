package dev.dea.sandbox;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dea.cache.ColumnMeta;
import dev.dea.cache.ColumnSource;
import dev.dea.cache.FrameCache;
import dev.dea.cache.FrameData;
import dev.dea.cache.FrameMeta;
import dev.dea.cache.FramePin;
import dev.dea.cache.FrameWriter;
import dev.dea.cache.Provenance;
import dev.dea.cache.RowPositions;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.frame.ColumnKind;
import dev.dea.frame.FrameColumn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * The agent's side of the runner protocol (docs/sandbox-protocol.md, runner.py) for one
 * execution: wait for {@code ready}, send {@code execute} with the input rows, answer
 * {@code sql} requests, then turn the {@code result} into a cached frame. Rows are
 * streamed file-to-pipe and pipe-to-frame-writer; no frame is held in memory.
 */
final class RunnerExchange {
    private static final Logger log = LoggerFactory.getLogger(RunnerExchange.class);
    private static final long MAX_ARTIFACT_BYTES = 10L << 20;
    /** The most a line may be whatever the output limit: the runner's channel is the code's to write to. */
    private static final int LINE_CEILING = 256 << 20;
    /**
     * Tokens in one message: a result of 4,096 columns is about 125,000, artifacts and output a few
     * hundred. Bounds the tree a line becomes ({@code [0,0,0,...]} is two bytes a node).
     */
    static final long MAX_TOKENS = 500_000;
    /** sql() calls one step may make: each is a statement on a database and a cached frame. */
    static final int MAX_SQL_CALLS = 1_000;
    /** A result column's name (an upload's names have the same limit). */
    private static final int MAX_COLUMN_NAME = 1_000;
    /** The SQL guard's own limit (1 MiB of UTF-8), which a longer query would reach only to be refused. */
    private static final int MAX_QUERY_CHARS = 1 << 20;
    /** A datasource name as the code gives it; configured names are far shorter. */
    private static final int MAX_DATASOURCE_NAME = 64;

    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE).maxNumberLength(1_000).maxTokenCount(MAX_TOKENS).build())
            .build();
    private static final ObjectMapper JSON = JsonMapper.builder(FACTORY).build();

    /** One input frame: its name in input_data, its metadata and its open column files. */
    record Input(String name, FrameMeta meta, FrameData data) {
    }

    /** What a successful run produced; no frame when the code printed or drew without assigning result_df. */
    record Result(Optional<FramePin> frame, String stdout, String stderr, boolean stdoutTruncated, boolean stderrTruncated,
                  List<Artifact> artifacts) {
    }

    /** The runner sent a protocol-level failure or broke the protocol. */
    static final class ProtocolException extends IOException {
        ProtocolException(String message) {
            super(message);
        }
    }

    private final SandboxJob job;
    private final FrameCache cache;
    private final SqlCallback sql;
    private final long outputLimitBytes;
    /** The sandbox's memory limit: the runner keeps copies for unchanged columns only from what it leaves free. */
    private final long memoryLimitBytes;
    /** Characters of live output passed on per stream: the runner sends at most the output limit of each. */
    private final java.util.Map<String, Long> streamed = new java.util.HashMap<>();
    /** Room for the runner's one truncation marker per stream. */
    private static final int MARKER_CHARS = 200;
    private final LineReader in;
    private final OutputStream out;
    private int sqlCalls;
    private int copiedColumns;
    /** The frames the result may name columns of; set by run(). */
    private ReusableFrames reusable;

    /** {@code stdout} must be past the runner's {@code ready} line ({@link ReadyLine}). */
    RunnerExchange(SandboxJob job, FrameCache cache, long outputLimitBytes, long memoryLimitBytes, LineReader stdout,
                   OutputStream stdin) {
        this.job = job;
        this.cache = cache;
        this.sql = job.sql();
        this.outputLimitBytes = outputLimitBytes;
        this.memoryLimitBytes = memoryLimitBytes;
        this.in = stdout;
        this.out = new BufferedOutputStream(stdin, 1 << 16);
    }

    /**
     * Runs the exchange on a ready runner. AgentException for results the code produced (user
     * errors, RESULT_TOO_LARGE); IOException when the runner went away or broke the protocol
     * (the caller diagnoses the container).
     */
    Result run(List<Input> inputs, List<String> parentKeys) throws IOException {
        try (ReusableFrames frames = new ReusableFrames(inputs.stream().map(Input::data).toList())) {
            reusable = frames;
            return exchange(inputs, parentKeys);
        }
    }

    private Result exchange(List<Input> inputs, List<String> parentKeys) throws IOException {
        long t0 = System.nanoTime();
        sendExecute(inputs);
        long sent = System.nanoTime();
        while (true) {
            JsonNode message = readMessage();
            String type = message.path("type").asText();
            switch (type) {
                case "sql" -> answerSql(message);
                case "output" -> output(message);
                case "result" -> {
                    long answered = System.nanoTime();
                    Result r = result(message, parentKeys);
                    // Where a step's time goes (the warm-pool benchmark's profile); no code or rows logged.
                    log.debug("Exchange: execute sent in {} us, runner answered after {} us, result cached in {} us, "
                                    + "{} columns copied from its frames", (sent - t0) / 1_000, (answered - sent) / 1_000,
                            (System.nanoTime() - answered) / 1_000, copiedColumns);
                    return r;
                }
                case "fatal" -> {
                    AgentException failure = RunnerErrors.fatal(message.path("error"));
                    if ("PROTOCOL_ERROR".equals(message.path("error").path("type").asText())) {
                        log.warn("The sandbox runner reports a protocol error (the image and this agent disagree, or "
                                + "the code wrote to the runner's channel): {}", Artifacts.quote(failure.getMessage()));
                    }
                    throw failure;
                }
                default -> throw new ProtocolException("unexpected runner message type " + Artifacts.quote(type));
            }
        }
    }

    /** A line the code printed, passed on as it comes; the result still carries all the output. */
    private void output(JsonNode message) throws ProtocolException {
        String stream = message.path("stream").asText();
        if (!stream.equals("stdout") && !stream.equals("stderr") || !message.path("text").isTextual()) {
            throw new ProtocolException("an output message needs stream stdout|stderr and a text");
        }
        String text = message.get("text").asText();
        // Decoded text has at most as many characters as the kept bytes: more is not the runner's capture but code
        // writing to the channel itself, and is not passed on (the result still says what the capture kept). A line
        // counts its newline, which the runner kept and does not send: a million empty lines are not free.
        long total = streamed.merge(stream, (long) text.length() + 1, Long::sum);
        if (total > outputLimitBytes + MARKER_CHARS) {
            return;
        }
        try {
            job.output().line(stream, text);
        } catch (RuntimeException e) {
            log.warn("A live output listener failed; the step goes on: {}", e.toString());
        }
    }

    private void sendExecute(List<Input> inputs) throws IOException {
        ObjectNode execute = JSON.createObjectNode();
        execute.put("type", "execute");
        execute.put("code", job.code());
        if (job.output() != LiveOutput.NONE) {
            execute.put("stream_output", true);
        }
        if (job.exactDecimals()) {
            execute.put("exact_decimals", true);
        }
        // Columns of the inputs (and kept sql() frames) the code returns unchanged are named, not sent back.
        execute.put("reuse_inputs", true);
        execute.put("memory_limit_bytes", memoryLimitBytes);
        ArrayNode list = execute.putArray("inputs");
        BiPredicate<ColumnMeta, ColumnMeta.Buffer> sent = RunnerFrames.buffers(job.exactDecimals());
        for (Input input : inputs) {
            ObjectNode item = list.addObject();
            item.put("name", input.name());
            item.set("meta", RunnerFrames.meta(input.meta(), sent));
        }
        execute.put("output_limit_bytes", outputLimitBytes);
        execute.put("max_artifact_bytes", MAX_ARTIFACT_BYTES);
        writeMessage(execute);
        for (Input input : inputs) {
            // The stored column files are exactly the channel's buffers: copy bytes, parse nothing.
            input.data().transferTo(out, sent);
        }
        out.flush();
    }

    /**
     * The longest line a runner with this output limit sends: a result carries both streams'
     * kept output (up to 6 JSON bytes a character, {@code \\uXXXX}), the artifacts as base64 and the
     * frame's metadata. What the code itself writes to the channel is held to the same.
     */
    static int maxLineBytes(long outputLimitBytes) {
        long bytes = (8L << 20) + MAX_ARTIFACT_BYTES / 3 * 4 + 12 * outputLimitBytes;
        return (int) Math.min(LINE_CEILING, bytes);
    }

    private void answerSql(JsonNode message) throws IOException {
        JsonNode id = message.path("id");
        String query = message.path("query").asText("");
        JsonNode datasource = message.path("datasource");
        if (++sqlCalls > MAX_SQL_CALLS) {
            sqlError(id, ErrorType.TOO_MANY_REQUESTS, "A step may call sql() at most " + MAX_SQL_CALLS
                    + " times; query once and work on the frame in pandas");
            return;
        }
        // Refused before the callback: nothing reaches a database, the audit trail or the logs at this size.
        if (query.length() > MAX_QUERY_CHARS) {
            sqlError(id, ErrorType.VALIDATION_ERROR, "The query has " + query.length() + " characters; at most "
                    + MAX_QUERY_CHARS + " are accepted");
            return;
        }
        if (datasource.isTextual() && datasource.textValue().length() > MAX_DATASOURCE_NAME) {
            sqlError(id, ErrorType.NOT_FOUND, "No datasource has a name of " + datasource.textValue().length()
                    + " characters");
            return;
        }
        FrameMeta result;
        FrameData data;
        try (FramePin pinned = sql.runSql(query, datasource.isTextual() ? Optional.of(datasource.textValue())
                : Optional.empty(), job.requestId())) {
            // Opened while pinned: an open file stays readable whatever eviction does next.
            result = pinned.meta();
            data = cache.openData(result.key());
        } catch (AgentException e) {
            log.debug("sql() from sandboxed code failed: {}", e.type());
            sqlError(id, e.type(), e.getMessage());
            return;
        }
        boolean kept = reusable.keepSql(id, result.columns().size(), data);
        try {
            ObjectNode answer = JSON.createObjectNode();
            answer.put("type", "sql_result");
            answer.set("id", id);
            // The cursor reads exact decimals from their text; a DataFrame of a float step does not.
            BiPredicate<ColumnMeta, ColumnMeta.Buffer> sent =
                    RunnerFrames.buffers(!message.path("decimals_as_floats").asBoolean(false));
            answer.set("meta", RunnerFrames.meta(result, sent));
            if (kept) {
                // Its unchanged columns may come back by reference: the files stay open until the step ends.
                answer.put("reusable", true);
            }
            writeMessage(answer);
            data.transferTo(out, sent);
            out.flush();
        } finally {
            if (!kept) {
                data.close();
            }
        }
    }

    private void sqlError(JsonNode id, ErrorType type, String message) throws IOException {
        ObjectNode error = JSON.createObjectNode();
        error.put("type", "sql_error");
        error.set("id", id);
        error.putObject("error").put("type", type.name()).put("message", message);
        writeMessage(error);
        out.flush();
    }

    private Result result(JsonNode message, List<String> parentKeys) throws IOException {
        // The runner keeps at most the limit of each stream; code writing to the channel itself is held to it here.
        int limit = (int) Math.min(Integer.MAX_VALUE - MARKER_CHARS, outputLimitBytes) + MARKER_CHARS;
        String stdout = message.path("stdout").asText("");
        String stderr = message.path("stderr").asText("");
        boolean stdoutTruncated = message.path("stdout_truncated").asBoolean(false) || stdout.length() > limit;
        boolean stderrTruncated = message.path("stderr_truncated").asBoolean(false) || stderr.length() > limit;
        stdout = clip(stdout, limit);
        stderr = clip(stderr, limit);
        if (!"ok".equals(message.path("status").asText())) {
            throw RunnerErrors.userError(message.path("error"), stdout, stderr);
        }
        Artifacts.Checked artifacts = Artifacts.check(message.get("artifacts"), MAX_ARTIFACT_BYTES);
        if (!artifacts.notes().isEmpty()) {
            log.info("Dropped {} sandbox artifacts that failed validation", artifacts.notes().size());
        }
        JsonNode frame = message.path("frame");
        if (frame.isNull()) {
            return new Result(Optional.empty(), stdout, artifacts.appendNotes(stderr), stdoutTruncated,
                    stderrTruncated, artifacts.artifacts());
        }
        long rowCount = frame.path("row_count").asLong(-1);
        if (rowCount < 0) {
            throw new ProtocolException("result without frame.row_count");
        }
        RowPositions positions = ReusableFrames.positions(frame.path("rows"), rowCount, in.bytes());
        List<FrameColumn> columns = new ArrayList<>();
        List<ColumnSource> sources = new ArrayList<>();
        for (JsonNode c : frame.path("columns")) {
            ColumnKind kind;
            try {
                kind = ColumnKind.fromWireName(c.path("kind").asText());
            } catch (IllegalArgumentException e) {
                throw new ProtocolException("result column of unknown kind " + Artifacts.quote(c.path("kind").asText()));
            }
            String name = c.path("name").asText("");
            String sourceType = c.path("source_type").asText(kind.wireName());
            if (name.length() > MAX_COLUMN_NAME || sourceType.length() > MAX_COLUMN_NAME) {
                // Names travel in every listing, preview and schema of the frame; uploads hold them to the same.
                throw new ProtocolException("a result column's name or source type is over " + MAX_COLUMN_NAME
                        + " characters");
            }
            columns.add(new FrameColumn(name, kind, sourceType));
            Optional<ColumnSource> named = reusable.sourceOf(c, positions);
            sources.add(named.isPresent() ? named.get() : new ColumnSource.Wire(buffers(c.path("buffers"))));
        }
        copiedColumns = (int) sources.stream().filter(s -> !(s instanceof ColumnSource.Wire)).count();
        FramePin pinned;
        try (FrameWriter writer = cache.create(columns, Provenance.python(job.code(), parentKeys, job.requestId()))) {
            try {
                writer.receive(in.bytes(), rowCount, sources);
            } catch (IOException e) {
                // A result that breaks the layout: the runner (or code writing to its channel) broke the protocol.
                throw e instanceof ProtocolException p ? p : new ProtocolException("result frame: " + e.getMessage());
            }
            // Pinned until the step's answer has read its preview back (SandboxOutcome.close).
            pinned = writer.commitPinned();
        }
        return new Result(Optional.of(pinned), stdout, artifacts.appendNotes(stderr), stdoutTruncated, stderrTruncated,
                artifacts.artifacts());
    }

    private static List<ColumnMeta.Buffer> buffers(JsonNode list) throws ProtocolException {
        if (!list.isArray()) {
            throw new ProtocolException("a result column without buffers");
        }
        List<ColumnMeta.Buffer> out = new ArrayList<>();
        for (JsonNode b : list) {
            if (!b.path("name").isTextual() || !b.path("bytes").canConvertToLong() || b.path("bytes").asLong(-1) < 0) {
                throw new ProtocolException("a result buffer needs a name and a size");
            }
            out.add(new ColumnMeta.Buffer(b.get("name").textValue(), b.get("bytes").asLong()));
        }
        return out;
    }

    private JsonNode readMessage() throws IOException {
        byte[] line = in.readLine();
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            throw new ProtocolException("the runner sent a line that is not JSON");
        }
        if (node == null || !node.isObject() || !node.path("type").isTextual()) {
            throw new ProtocolException("the runner sent a message without a type");
        }
        return node;
    }

    private void writeMessage(JsonNode message) throws IOException {
        out.write(JSON.writeValueAsBytes(message));
        out.write('\n');
    }

    /** {@code text}, or its first {@code maxChars} characters and a note of how many more there were. */
    static String clip(String text, int maxChars) {
        return text.length() <= maxChars ? text
                : text.substring(0, maxChars) + "... [" + (text.length() - maxChars) + " more characters]";
    }
}
