package dev.dea.http;

import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.jobs.JobRecord;
import dev.dea.jobs.JobList;
import dev.dea.jobs.JobService;
import dev.dea.openapi.ApiContent;
import dev.dea.openapi.ApiOperation;
import dev.dea.openapi.ApiTag;
import dev.dea.openapi.SchemaRef;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /jobs/{id}}, its cancel and its event stream; and the {@code Prefer: respond-async}
 * answer of the routes that can run as jobs (RFC 7240).
 */
final class JobRoutes {
    static final ApiTag JOBS = new ApiTag("jobs",
            "Steps run asynchronously: send `Prefer: respond-async` to /execute, /execute-on-data or a profile; "
                    + "watch, stream and cancel the job here (docs/jobs.md).");
    private static final SchemaRef ACCEPTED = SchemaRef.written("JobAccepted", """
            {"type": "object", "required": ["job_id", "status_url", "events_url"], "properties": {
              "job_id": {"type": "string"}, "status_url": {"type": "string"}, "events_url": {"type": "string"}}}""");
    private static final SchemaRef RECORD = SchemaRef.written("Job", """
            {"type": "object", "required": ["job_id", "status", "kind", "request_id", "created_at"], "properties": {
              "job_id": {"type": "string"},
              "status": {"type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled", "interrupted"]},
              "kind": {"type": "string", "enum": ["execute", "execute-on-data", "profile"]},
              "language": {"type": "string", "enum": ["sql", "python"]},
              "datasource": {"type": "string"},
              "table": {"type": "string", "description": "the profiled table"},
              "request_id": {"type": "string", "description": "X-Request-Id of the submitting request"},
              "created_at": {"type": "string", "format": "date-time"},
              "started_at": {"type": "string", "format": "date-time"},
              "finished_at": {"type": "string", "format": "date-time"},
              "result": {"type": "object", "description": "succeeded: the synchronous call's body (EnrichedExecutionResult or TableProfile)"},
              "error": {"type": "object", "description": "failed: the `detail` of the synchronous call's error"}}}""");
    private static final String ID_DESCRIPTION = "The job's id, from the 202 answer";
    private static final SchemaRef ID = SchemaRef.inline("{\"type\": \"string\"}");

    private final JobService jobs;

    JobRoutes(JobService jobs) {
        this.jobs = jobs;
    }

    void register(ApiRoutes api) {
        api.add(ApiOperation.get("/jobs").tag(JOBS)
                .summary("The jobs the agent keeps records of, newest first, without their results")
                .description("Records are kept as docs/jobs.md says (retention by age and count); GET /jobs/{id} has a "
                        + "job's result or error. Page with `cursor` = the previous page's `next_cursor`.")
                .queryParam("status", "queued, running, succeeded, failed, cancelled or interrupted", SchemaRef.inline(
                        "{\"type\": \"string\", \"enum\": [\"queued\", \"running\", \"succeeded\", \"failed\", "
                                + "\"cancelled\", \"interrupted\"]}"))
                .queryParam("kind", "execute, execute-on-data or profile", SchemaRef.inline(
                        "{\"type\": \"string\", \"enum\": [\"execute\", \"execute-on-data\", \"profile\"]}"))
                .queryParam("limit", "Page size", SchemaRef.inline("{\"type\": \"integer\", \"minimum\": 1, \"maximum\": "
                        + JobList.MAX_LIMIT + ", \"default\": " + JobList.DEFAULT_LIMIT + "}"))
                .queryParam("cursor", "The previous page's next_cursor", ID)
                .ok("One page of jobs", SchemaRef.written("JobPage", """
                        {"type": "object", "required": ["jobs"], "properties": {
                          "jobs": {"type": "array", "items": {"$ref": "#/components/schemas/Job"}},
                          "next_cursor": {"type": "string"}}}"""))
                .errors(ErrorType.VALIDATION_ERROR).build(), this::list);
        api.add(ApiOperation.get("/jobs/{id}").tag(JOBS)
                .summary("A job's status, and its result or error once it ended")
                .pathParam("id", ID_DESCRIPTION, ID)
                .ok("The job", RECORD)
                .errors(ErrorType.NOT_FOUND).build(), this::get);
        api.add(ApiOperation.delete("/jobs/{id}").tag(JOBS)
                .summary("Cancel a job")
                .description("A queued job never starts; a running SQL statement is cancelled in the database, a "
                        + "running sandbox is killed and removed. Answers the job once it stopped (`cancelled`); a job "
                        + "that had already ended is answered unchanged.")
                .pathParam("id", ID_DESCRIPTION, ID)
                .ok("The job after the cancel", RECORD)
                .errors(ErrorType.NOT_FOUND).build(), this::cancel);
        api.add(ApiOperation.post("/jobs/{id}/cancel").tag(JOBS)
                .summary("Cancel a job (the same as DELETE /jobs/{id})")
                .pathParam("id", ID_DESCRIPTION, ID)
                .ok("The job after the cancel", RECORD)
                .errors(ErrorType.NOT_FOUND).build(), this::cancel);
        api.add(ApiOperation.get("/jobs/{id}/events").tag(JOBS)
                .summary("The job's events as Server-Sent Events")
                .description("""
                        Events `queued`, `started`, `progress` (SQL: `{"rows": n}` fetched so far, at most every \
                        500 ms), a `: heartbeat` comment every JOBS_HEARTBEAT_SECONDS, and exactly one final `result`, \
                        `error` or `cancelled` (also for `interrupted` jobs: `error`) whose data is the job as GET \
                        /jobs/{id} answers it; the stream then ends. Every event has an `id`; `Last-Event-ID` resumes \
                        after it. A stream opened after the end replays the history and the final event.""")
                .pathParam("id", ID_DESCRIPTION, ID)
                .headerParam("Last-Event-ID", "Resume after this event id", SchemaRef.inline("{\"type\": \"integer\", \"minimum\": 0}"))
                .response(200, "The event stream", new ApiContent("text/event-stream", SchemaRef.inline("{\"type\": \"string\"}")))
                .errors(ErrorType.NOT_FOUND, ErrorType.VALIDATION_ERROR, ErrorType.TOO_MANY_REQUESTS).build(), this::events);
    }

    void list(Context ctx) {
        ctx.json(jobs.list(JobList.Query.parse(ctx.queryParam("status"), ctx.queryParam("kind"), ctx.queryParam("limit"),
                ctx.queryParam("cursor"))));
    }

    void get(Context ctx) {
        ctx.json(jobs.get(ctx.pathParam("id")));
    }

    void cancel(Context ctx) {
        ctx.json(jobs.cancel(ctx.pathParam("id")));
    }

    void events(Context ctx) throws IOException {
        long after = lastEventId(ctx.header("Last-Event-ID"));
        JobService.Stream stream = jobs.openStream(ctx.pathParam("id"), after, ctx.ip());
        try {
            var res = ctx.res();
            res.setStatus(200);
            res.setCharacterEncoding("UTF-8");
            res.setContentType("text/event-stream");
            res.setHeader("Cache-Control", "no-cache");
            // nginx would otherwise buffer the stream.
            res.setHeader("X-Accel-Buffering", "no");
            res.flushBuffer();
            // The request thread goes back to the pool: events are written as they come, by short tasks.
            CompletableFuture<Void> done = new CompletableFuture<>();
            ctx.future(() -> done);
            stream.start(res.getOutputStream(), () -> done.complete(null));
        } catch (IOException | RuntimeException e) {
            stream.abandon();
            throw e;
        }
    }

    private static long lastEventId(String header) {
        if (header == null || header.isBlank()) {
            return 0;
        }
        try {
            long id = Long.parseLong(header.strip());
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw AgentException.validation("Header 'Last-Event-ID' must be an event id (a number >= 0), got '"
                + (header.length() > 32 ? header.substring(0, 32) + "..." : header) + "'");
    }

    /** Whether the request asks for an asynchronous answer (RFC 7240 {@code Prefer: respond-async}). */
    static boolean respondAsync(Context ctx) {
        Enumeration<String> headers = ctx.req().getHeaders("Prefer");
        for (String prefer : headers == null ? List.<String>of() : Collections.list(headers)) {
            for (String token : prefer.split(",")) {
                String name = token.split(";", 2)[0].split("=", 2)[0].strip().toLowerCase(Locale.ROOT);
                if (name.equals("respond-async")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code 202 Accepted} for a submitted job. */
    static void accepted(Context ctx, JobRecord job) {
        String status = "/jobs/" + job.jobId();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("job_id", job.jobId());
        body.put("status_url", status);
        body.put("events_url", status + "/events");
        ctx.status(202).header("Location", status).header("Preference-Applied", "respond-async").json(body);
    }

    /** The 202 answer of a route that takes {@code Prefer: respond-async}, for its OpenAPI operation. */
    static ApiOperation.Builder asyncCapable(ApiOperation.Builder op) {
        return op.headerParam("Prefer", "`respond-async`: run the step as a job and answer 202 at once (docs/jobs.md)",
                        SchemaRef.inline("{\"type\": \"string\"}"))
                .response(202, "With `Prefer: respond-async`: the job was queued; `Location` is its status URL",
                        ApiContent.json(ACCEPTED));
    }
}
