package dev.dea.datasource;

import dev.dea.db.DbHealth;
import dev.dea.error.AgentException;
import dev.dea.error.ErrorType;
import dev.dea.execute.SqlTargets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * Every datasource of the agent, in the configured order: resolves the name a call gives (none:
 * the default one; unknown: 404 listing the names), fails fast while a datasource's breaker is
 * open, and probes each database in the background, on its own thread, so that one that hangs
 * never delays another's probe and a database that answers again is used without a restart.
 */
public final class Datasources implements SqlTargets, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Datasources.class);
    /** How often each database is probed: how long a recovered database may still be refused. */
    public static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

    private final List<Datasource> all;
    private final Map<String, Datasource> byName = new LinkedHashMap<>();
    private final Datasource defaultOne;
    private final ScheduledExecutorService probes;

    public Datasources(List<Datasource> all) {
        this(all, PROBE_INTERVAL);
    }

    public Datasources(List<Datasource> all, Duration probeInterval) {
        this.all = List.copyOf(all);
        this.all.forEach(d -> {
            if (byName.putIfAbsent(d.name(), d) != null) {
                throw new IllegalArgumentException("datasource '" + d.name() + "' is given twice");
            }
        });
        List<Datasource> defaults = this.all.stream().filter(Datasource::isDefault).toList();
        if (defaults.size() != 1) {
            throw new IllegalArgumentException("exactly one datasource must be the default, found " + defaults.size());
        }
        this.defaultOne = defaults.get(0);
        this.probes = Executors.newScheduledThreadPool(this.all.size(), Thread.ofPlatform().daemon()
                .name("dea-datasource-probe-", 0).factory());
        for (Datasource d : this.all) {
            probes.scheduleWithFixedDelay(() -> probeInBackground(d), 0, probeInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** In the configured order. */
    public List<Datasource> all() {
        return all;
    }

    public Datasource defaultDatasource() {
        return defaultOne;
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** The named datasource, or the default one for an empty name; NOT_FOUND listing the names otherwise. */
    public Datasource get(Optional<String> name) {
        requireNonNull(name, "name");
        if (name.isEmpty()) {
            return defaultOne;
        }
        Datasource found = byName.get(name.get());
        if (found == null) {
            String given = name.get().length() <= 64 ? name.get() : name.get().substring(0, 64) + "...";
            throw new AgentException(ErrorType.NOT_FOUND, "Unknown datasource '" + given + "'; available: "
                    + String.join(", ", byName.keySet()), Map.of("available", names()), null);
        }
        return found;
    }

    /**
     * Runs {@code work} on the named datasource: at once DB_UNAVAILABLE naming it while its breaker
     * is open, and a DB_UNAVAILABLE from the work opens the breaker for the requests after it.
     */
    public <T> T use(Optional<String> name, Function<Datasource, T> work) {
        Datasource d = get(name);
        d.breaker().check();
        try {
            return work.apply(d);
        } catch (AgentException e) {
            if (e.type() == ErrorType.DB_UNAVAILABLE) {
                d.breaker().trip(e.getMessage());
                if (!e.getMessage().contains("'" + d.name() + "'")) {
                    throw new AgentException(ErrorType.DB_UNAVAILABLE, "Datasource '" + d.name() + "': "
                            + e.getMessage(), withDatasource(e.details(), d.name()), e);
                }
            }
            throw e;
        }
    }

    /**
     * Each datasource's state as the last background probe found it: answers at once, however
     * many datasources are down. Before a datasource's first probe, it is probed now.
     */
    public List<DatasourceStatus> statuses() {
        return all.stream().map(d -> DatasourceStatus.of(d, d.breaker().lastProbe().orElseGet(() -> probe(d)))).toList();
    }

    @Override
    public <T> T run(Optional<String> datasource, Work<T> work) {
        return use(datasource, d -> work.run(d.name(), d.sqlRunner()));
    }

    private static Map<String, Object> withDatasource(Map<String, Object> details, String name) {
        Map<String, Object> all = new LinkedHashMap<>(details);
        all.put("datasource", name);
        return all;
    }

    private static DbHealth probe(Datasource d) {
        long startedAt = d.breaker().probeStarting();
        DbHealth health = d.database().health();
        d.breaker().probed(health, startedAt);
        return health;
    }

    private void probeInBackground(Datasource d) {
        try {
            probe(d);
        } catch (RuntimeException e) {
            // A probe must never end its schedule.
            log.debug("Probing datasource '{}' failed: {}", d.name(), e.getMessage());
        }
    }

    @Override
    public void close() {
        probes.shutdownNow();
        try {
            probes.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
