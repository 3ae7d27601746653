package dev.dea.metrics;

import dev.dea.cache.CacheStats;
import dev.dea.sandbox.SandboxLoad;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import static java.util.Objects.requireNonNull;

/**
 * The agent's meters, in one Prometheus registry served by {@code GET /metrics}. Services
 * record through {@link #executions()} and {@link #http()} (or, for the connection pool,
 * the {@link #registry()}); cache and sandbox state is read only when scraped, through
 * the suppliers given to {@link #watchCache} and {@link #watchSandbox}. Names are
 * Micrometer's dotted ones: the registry renders {@code dea.sql.executions} as
 * {@code dea_sql_executions_total}.
 */
public final class AgentMetrics implements AutoCloseable {
    /** Prometheus text exposition format 0.0.4, what {@link #scrape()} writes. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // The only binder holding a resource (a GC notification listener): closed with the registry.
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final HttpMetrics http;
    private final ExecutionMetrics executions;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Gauges and function counters keep only weak references to what they read; these suppliers live here. */
    private final List<Supplier<?>> watched = new CopyOnWriteArrayList<>();

    public AgentMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        this.http = new HttpMetrics(registry);
        this.executions = new ExecutionMetrics(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public HttpMetrics http() {
        return http;
    }

    public ExecutionMetrics executions() {
        return executions;
    }

    /** Frames, bytes, the size and frame-count limits and evictions of the frame cache, read at each scrape. */
    public void watchCache(Supplier<CacheStats> stats) {
        watched.add(requireNonNull(stats, "stats"));
        gauge("dea.cache.frames", "Frames in the cache", stats, s -> s.frames(), null);
        gauge("dea.cache.size", "Size of the cached frames on disk", stats, s -> s.bytes(), BaseUnits.BYTES);
        gauge("dea.cache.max", "The cache's size limit (CACHE_MAX_BYTES)", stats, s -> s.maxBytes(), BaseUnits.BYTES);
        gauge("dea.cache.max.frames", "The cache's frame-count limit (CACHE_MAX_FRAMES)", stats, s -> s.maxFrames(), null);
        FunctionCounter.builder("dea.cache.evictions", stats, s -> s.get().evictions())
                .description("Frames removed by TTL, size or frame-count eviction").register(registry);
    }

    /** Sandbox slots in use, executions waiting for one, and warm containers ready, read at each scrape. */
    public void watchSandbox(Supplier<SandboxLoad> load) {
        watched.add(requireNonNull(load, "load"));
        gauge("dea.sandbox.running", "Python executions holding a sandbox slot", load, l -> l.running(), null);
        gauge("dea.sandbox.queue.depth", "Python executions waiting for a sandbox slot", load, l -> l.queued(), null);
        gauge("dea.sandbox.warm.pool.size", "Started sandbox containers waiting for an execution", load,
                l -> l.pooled(), null);
        // One counter, two series: a falling share of "pool" means the pool is too small or refills too slowly.
        for (String source : new String[] {"pool", "cold"}) {
            FunctionCounter.builder("dea.sandbox.served", load,
                            l -> "pool".equals(source) ? l.get().servedFromPool() : l.get().servedCold())
                    .description("Python executions by where their sandbox came from: the warm pool, or started for them")
                    .tag("source", source).register(registry);
        }
    }

    /** 1 while the datasource is usable, 0 while its breaker is open (it is down, or its login refused). */
    public void watchDatasource(String name, java.util.function.BooleanSupplier up) {
        requireNonNull(up, "up");
        Gauge.builder("dea.datasource.up", up, u -> u.getAsBoolean() ? 1 : 0)
                .description("Whether the datasource answers: 1 up, 0 down (its requests fail fast with DB_UNAVAILABLE)")
                .tag("datasource", requireNonNull(name, "name")).register(registry);
    }

    /** Every meter in the Prometheus text format ({@link #CONTENT_TYPE}). */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            gc.close();
            registry.close();
        }
    }

    private <T> void gauge(String name, String description, Supplier<T> source, ToDoubleFunction<T> value,
                           String unit) {
        Gauge.builder(name, source, s -> value.applyAsDouble(s.get())).description(description).baseUnit(unit)
                .register(registry);
    }
}
