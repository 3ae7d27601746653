package dev.dea.platform;

import dev.dea.platform.PlatformStatus.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

import static java.util.Objects.requireNonNull;

/**
 * Registers the agent with the platform ({@code CORE_LOGIC_URL}) and keeps it registered with
 * heartbeats; deregisters on {@link #close()}. The protocol is described in
 * {@code docs/platform-protocol.md}.
 *
 * <p>Everything runs on one daemon thread started by {@link #start()}; no public method blocks
 * except {@link #close()}, which waits briefly for the loop to stop and for a best-effort
 * deregistration (a few seconds at most).
 *
 * <p>URLs, from {@code CORE_LOGIC_URL} (its path kept as a prefix) and {@code REGISTRATION_PATH}
 * (default {@value #DEFAULT_REGISTRATION_PATH}), with {@code P} = the registration path minus its
 * last segment:
 * <ul>
 *   <li>register: {@code CORE_LOGIC_URL + REGISTRATION_PATH}</li>
 *   <li>heartbeat: {@code CORE_LOGIC_URL + P + /{agent_id}/heartbeat}</li>
 *   <li>deregister: {@code CORE_LOGIC_URL + P + /{agent_id}/deregister}</li>
 * </ul>
 * With the default path: {@code /api/v1/agents/register}, {@code /api/v1/agents/{agent_id}/heartbeat},
 * {@code /api/v1/agents/{agent_id}/deregister}.
 */
public final class PlatformClient implements AutoCloseable {
    public static final String DEFAULT_REGISTRATION_PATH = "/api/v1/agents/register";
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(PlatformClient.class);

    /** Timing knobs; {@link #defaults()} in production, tiny values in tests. */
    record Tuning(Duration backoffBase, Duration backoffCap, Duration connectTimeout, Duration requestTimeout,
                  Duration deregisterTimeout, Duration closeWait, RandomGenerator random) {
        Tuning {
            requireNonNull(backoffBase, "backoffBase");
            requireNonNull(backoffCap, "backoffCap");
            requireNonNull(connectTimeout, "connectTimeout");
            requireNonNull(requestTimeout, "requestTimeout");
            requireNonNull(deregisterTimeout, "deregisterTimeout");
            requireNonNull(closeWait, "closeWait");
            requireNonNull(random, "random");
        }

        static Tuning defaults() {
            return new Tuning(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(5),
                    Duration.ofSeconds(10), Duration.ofSeconds(3), Duration.ofSeconds(2), RandomGenerator.getDefault());
        }
    }

    private final RegistrationSpec spec;
    private final Supplier<Map<String, Object>> health;
    private final Clock clock;
    private final Tuning tuning;
    private final Backoff backoff;
    private final PlatformHttp http;

    private final Object lock = new Object();
    private State state = State.REGISTERING;
    private int attempts;
    private Optional<String> lastError = Optional.empty();
    private Optional<Instant> lastHeartbeat = Optional.empty();

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Thread loop;
    /** Registration refusals (4xx) already logged at ERROR since the last success. */
    private final Set<Integer> loggedRefusals = new HashSet<>();
    private boolean everRegistered;

    public PlatformClient(RegistrationSpec spec, Supplier<Map<String, Object>> health, Clock clock) {
        this(spec, health, clock, Tuning.defaults());
    }

    PlatformClient(RegistrationSpec spec, Supplier<Map<String, Object>> health, Clock clock, Tuning tuning) {
        this.spec = requireNonNull(spec, "spec");
        this.health = requireNonNull(health, "health");
        this.clock = requireNonNull(clock, "clock");
        this.tuning = requireNonNull(tuning, "tuning");
        this.backoff = new Backoff(tuning.backoffBase(), tuning.backoffCap(), tuning.random());
        this.http = new PlatformHttp(spec, tuning.connectTimeout());
    }

    // ---------------------------------------------------------------- lifecycle

    /** Starts the background loop; returns at once. A second call, or a call after close, does nothing. */
    public void start() {
        if (closed.get() || !started.compareAndSet(false, true)) {
            return;
        }
        Thread t = Thread.ofPlatform().daemon(true).name("platform-client").unstarted(this::run);
        loop = t;
        t.start();
    }

    public PlatformStatus status() {
        synchronized (lock) {
            return new PlatformStatus(state, attempts, lastError, lastHeartbeat);
        }
    }

    /**
     * Stops the loop and, if registered, sends a deregistration (short timeout, best effort).
     * Idempotent; blocks at most about {@code closeWait + deregisterTimeout}.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing.countDown();
        Thread t = loop;
        if (t != null) {
            t.interrupt();
            try {
                t.join(tuning.closeWait());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        boolean wasRegistered;
        synchronized (lock) {
            wasRegistered = state == State.REGISTERED;
            state = State.CLOSED;
        }
        if (wasRegistered) {
            deregister();
        }
        http.shutdownNow();
    }

    private void deregister() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("agent_id", spec.agentId());
        body.put("sent_at", clock.instant().toString());
        body.put("reason", "shutdown");
        try {
            PlatformHttp.Outcome o = http.post(spec.deregisterUrl(), body, tuning.deregisterTimeout());
            if (o.success()) {
                log.info("Deregistered from the platform as {}", spec.agentId());
            } else {
                log.warn("Deregistration from the platform failed ({}); it will notice the missing heartbeats", o.error());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("Deregistration from the platform interrupted");
        } catch (RuntimeException e) {
            log.warn("Deregistration from the platform failed: {}", http.redact(String.valueOf(e.getMessage())));
        }
    }

    // ---------------------------------------------------------------- the loop

    private void run() {
        try {
            while (!isClosing()) {
                if (!register()) {
                    return;
                }
                heartbeats();
            }
        } catch (InterruptedException e) {
            // close() interrupts the loop: nothing to do.
        } catch (RuntimeException | Error e) {
            log.error("Platform client stopped unexpectedly", e);
            recordError("internal error: " + e.getClass().getSimpleName());
        }
    }

    /** Retries until registered (true) or closing (false). */
    private boolean register() throws InterruptedException {
        int failures = 0;
        while (!isClosing()) {
            synchronized (lock) {
                if (state == State.CLOSED) {
                    return false;
                }
                attempts++;
            }
            PlatformHttp.Outcome o = http.post(spec.registerUrl(), registrationBody(), tuning.requestTimeout());
            if (o.success()) {
                synchronized (lock) {
                    if (state == State.CLOSED) {
                        return true; // close() decides on the deregistration
                    }
                    state = State.REGISTERED;
                    lastError = Optional.empty();
                }
                loggedRefusals.clear();
                if (everRegistered) {
                    log.info("Re-registered with the platform as {} (recovered after {} failed attempt(s))",
                            spec.agentId(), failures);
                } else {
                    log.info("Registered with the platform at {} as {} (after {} failed attempt(s)); heartbeat every {}",
                            spec.registerUrl(), spec.agentId(), failures, spec.heartbeatInterval());
                }
                everRegistered = true;
                return true;
            }
            failures++;
            recordError("registration: " + o.error());
            logRegistrationFailure(o, failures);
            Duration wait = backoff.delay(failures);
            if (o.status() == 429 || o.status() == 503) {
                Optional<Duration> retryAfter = Backoff.retryAfter(o.retryAfter(), clock.instant());
                if (retryAfter.isPresent() && retryAfter.get().compareTo(wait) > 0) {
                    wait = retryAfter.get();
                }
            }
            if (!pause(wait)) {
                return false;
            }
        }
        return false;
    }

    private void logRegistrationFailure(PlatformHttp.Outcome o, int failures) {
        int s = o.status();
        boolean refusal = s >= 400 && s < 500 && s != 408 && s != 429;
        if (refusal) {
            if (loggedRefusals.add(s)) {
                log.error("The platform refused the registration of {} at {}: {}. Check AGENT_SECRET_TOKEN, "
                        + "CORE_LOGIC_URL and REGISTRATION_PATH; retrying with backoff",
                        spec.agentId(), spec.registerUrl(), o.error());
            } else {
                log.debug("Registration refused again: {}", o.error());
            }
        } else if (failures == 1 || failures % 20 == 0) {
            log.warn("Registration with the platform at {} failed ({}), attempt {} in this round; retrying with backoff",
                    spec.registerUrl(), o.error(), failures);
        } else {
            log.debug("Registration failed: {}", o.error());
        }
    }

    /** Heartbeats until the platform forgets the agent (returns) or closing (InterruptedException / return). */
    private void heartbeats() throws InterruptedException {
        boolean failing = false;
        Duration wait = spec.heartbeatInterval();
        while (pause(wait)) {
            wait = spec.heartbeatInterval();
            PlatformHttp.Outcome o = http.post(spec.heartbeatUrl(), heartbeatBody(), tuning.requestTimeout());
            if (o.success()) {
                synchronized (lock) {
                    if (state == State.CLOSED) {
                        return;
                    }
                    lastHeartbeat = Optional.of(clock.instant());
                    lastError = Optional.empty();
                }
                if (failing) {
                    log.info("Platform link recovered: heartbeat accepted again");
                }
                failing = false;
            } else if (o.status() == 404 || o.status() == 410) {
                log.warn("Platform link lost: the platform no longer knows agent {} (HTTP {}); registering again",
                        spec.agentId(), o.status());
                synchronized (lock) {
                    if (state == State.CLOSED) {
                        return;
                    }
                    state = State.REGISTERING;
                    lastError = Optional.of("heartbeat: " + o.error());
                }
                return;
            } else {
                recordError("heartbeat: " + o.error());
                if (!failing) {
                    log.warn("Platform link lost: heartbeat failed ({}); still trying every {}", o.error(),
                            spec.heartbeatInterval());
                }
                failing = true;
                if (o.status() == 429 || o.status() == 503) {
                    Optional<Duration> retryAfter = Backoff.retryAfter(o.retryAfter(), clock.instant());
                    if (retryAfter.isPresent() && retryAfter.get().compareTo(wait) > 0) {
                        wait = retryAfter.get();
                    }
                }
            }
        }
    }

    private boolean isClosing() {
        return closing.getCount() == 0;
    }

    /** Sleeps; false when closing. */
    private boolean pause(Duration d) throws InterruptedException {
        return !closing.await(d.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void recordError(String error) {
        synchronized (lock) {
            if (state != State.CLOSED) {
                lastError = Optional.of(http.redact(error));
            }
        }
    }

    // ---------------------------------------------------------------- HTTP

    private Map<String, Object> registrationBody() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("agent_id", spec.agentId());
        body.put("public_url", spec.publicUrl().map(URI::toString).orElse(null));
        body.put("version", spec.version());
        body.put("db_dialect", spec.dbDialect());
        body.put("capabilities", spec.capabilities());
        return body;
    }

    private Map<String, Object> heartbeatBody() {
        Map<String, Object> h;
        try {
            h = health.get();
        } catch (RuntimeException e) {
            log.debug("Health supplier failed", e);
            h = Map.of("status", "unknown", "error", "health check failed: " + e.getClass().getSimpleName());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("agent_id", spec.agentId());
        body.put("sent_at", clock.instant().toString());
        body.put("health", h == null ? Map.of() : h);
        return body;
    }
}
