package dev.dea.sandbox;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The sandbox side's background threads: named for the thread dumps, daemons so they never hold the JVM up. */
final class Daemons {
    private Daemons() {
    }

    /** One thread running periodic checks; cancelled tasks leave the queue at once. */
    static ScheduledThreadPoolExecutor watchdog(String name) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> daemon(r, name));
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** One thread working through a queue, in order. */
    static ExecutorService single(String name) {
        return Executors.newSingleThreadExecutor(r -> daemon(r, name));
    }

    /**
     * Lets the {@code remover}'s queued work finish (at most 10 s: removals the engine is slow to do
     * are swept by label afterwards), then stops the {@code watchdog} at once.
     */
    static void stop(ExecutorService remover, ScheduledThreadPoolExecutor watchdog) {
        remover.shutdown();
        try {
            remover.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watchdog.shutdownNow();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
