package dev.dea.http;

import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.thread.Scheduler;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A bound on the time a whole request body may take to arrive (REQUEST_BODY_TIMEOUT_SECONDS).
 * Jetty's idle timeout only bounds the gap between two bytes, so a body sent one byte every
 * few seconds would hold its request thread for as long as the client likes. When the
 * deadline passes, the connection's idle timeout is cut to a millisecond: the blocked read
 * then fails with Jetty's own idle-timeout error at once, and {@link JsonBodies} answers 408.
 * Jetty's scheduler runs the deadline, so it costs no thread of its own.
 */
final class BodyDeadline implements AutoCloseable {
    private final EndPoint endPoint;
    private final long idleTimeout;
    private final Scheduler.Task task;
    private boolean expired;
    private boolean closed;

    private BodyDeadline(ServletContextRequest request, Duration timeout) {
        this.endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        this.idleTimeout = endPoint.getIdleTimeout();
        this.task = request.getComponents().getScheduler().schedule(this::expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    static BodyDeadline start(HttpServletRequest request, Duration timeout) {
        ServletContextRequest jetty = ServletContextRequest.getServletContextRequest(request);
        if (jetty == null) {
            // Every request Javalin hands over is Jetty's; a stranger one would be a bug, not a caller's mistake.
            throw new IllegalStateException("Not a Jetty request: " + request.getClass().getName());
        }
        return new BodyDeadline(jetty, timeout);
    }

    private synchronized void expire() {
        if (!closed) {
            expired = true;
            endPoint.setIdleTimeout(1);
        }
    }

    synchronized boolean expired() {
        return expired;
    }

    @Override
    public synchronized void close() {
        closed = true;
        task.cancel();
        if (expired) {
            // The body may have arrived just as the deadline passed: the response must not time out too.
            endPoint.setIdleTimeout(idleTimeout);
        }
    }
}
