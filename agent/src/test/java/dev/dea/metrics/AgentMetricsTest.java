package dev.dea.metrics;

import dev.dea.cache.CacheStats;
import dev.dea.sandbox.SandboxLoad;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class AgentMetricsTest {

    @Test
    void scrapesJvmProcessCacheAndSandboxMetricsInPrometheusNames() {
        try (AgentMetrics metrics = new AgentMetrics()) {
            AtomicReference<CacheStats> stats = new AtomicReference<>(new CacheStats(3, 4096, 1, 1L << 20, 500));
            metrics.watchCache(stats::get);
            metrics.watchSandbox(() -> new SandboxLoad(2, 5, 1, 7, 3));
            metrics.executions().forDatasource("sales");

            String text = metrics.scrape();
            assertThat(text).contains("jvm_memory_used_bytes{", "jvm_threads_live_threads ", "jvm_gc_",
                    "process_uptime_seconds ", "process_cpu_usage ");
            assertThat(text).contains("dea_cache_frames 3", "dea_cache_size_bytes 4096", "dea_cache_max_bytes 1048576", "dea_cache_max_frames 500",
                    "dea_cache_evictions_total 1");
            assertThat(text).contains("dea_sandbox_running 2", "dea_sandbox_queue_depth 5", "dea_sandbox_warm_pool_size 1",
                    "dea_sandbox_served_total{source=\"pool\"} 7", "dea_sandbox_served_total{source=\"cold\"} 3");
            assertThat(text).contains("# TYPE dea_sql_executions_total counter",
                    "dea_sql_executions_total{datasource=\"sales\",outcome=\"success\"} 0");

            // Read at every scrape, not captured once.
            stats.set(new CacheStats(7, 8192, 4, 1L << 20, 500));
            assertThat(metrics.scrape()).contains("dea_cache_frames 7", "dea_cache_evictions_total 4");
        }
    }

    @Test
    void gaugesSurviveGarbageCollectionOfTheirSuppliers() throws Exception {
        try (AgentMetrics metrics = new AgentMetrics()) {
            // A lambda nobody else holds: Micrometer alone would keep only a weak reference to it.
            metrics.watchSandbox(() -> new SandboxLoad(0, 9, 0));
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(20);
            }
            assertThat(metrics.scrape()).contains("dea_sandbox_queue_depth 9");
        }
    }

    @Test
    void recordsRequestsAsAHistogramWithBoundedBuckets() {
        try (AgentMetrics metrics = new AgentMetrics()) {
            metrics.http().record("POST", java.util.Optional.of("/execute"), 200, java.time.Duration.ofMillis(40));
            PrometheusText text = PrometheusText.parse(metrics.scrape());
            Map<String, String> series = Map.of("method", "POST", "route", "/execute", "status", "200");
            assertThat(text.find("dea_http_requests_seconds_count", series)).hasValueSatisfying(s -> assertThat(s.value()).isEqualTo(1));
            assertThat(text.find("dea_http_requests_seconds_sum", series)).hasValueSatisfying(s -> assertThat(s.value()).isEqualTo(0.04));
            List<PrometheusText.Sample> buckets = text.named("dea_http_requests_seconds_bucket");
            assertThat(buckets).hasSize(14); // 13 bounds and +Inf, however many requests
            assertThat(buckets).filteredOn(b -> Double.parseDouble(b.label("le").replace("+Inf", "Infinity")) < 0.04)
                    .allSatisfy(b -> assertThat(b.value()).isZero());
            assertThat(buckets).filteredOn(b -> Double.parseDouble(b.label("le").replace("+Inf", "Infinity")) >= 0.04)
                    .allSatisfy(b -> assertThat(b.value()).isEqualTo(1));
        }
    }

    @Test
    void closeIsIdempotent() {
        AgentMetrics metrics = new AgentMetrics();
        metrics.close();
        metrics.close();
    }
}
