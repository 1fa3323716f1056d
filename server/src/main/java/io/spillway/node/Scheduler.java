package io.spillway.node;

import io.spillway.thread.NamedThreadFactory;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's periodic tasks (disk guard, incident ticks) on one daemon thread. A task that throws is
 * logged and keeps its schedule, so one bad measurement never stops the guard. Thread-safe.
 */
final class Scheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(NamedThreadFactory.daemon("spillway-scheduler"));

    /** Runs {@code task} now and then every {@code period}. */
    void every(String name, Duration period, Runnable task) {
        executor.scheduleWithFixedDelay(
                () -> {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        log.warn("{}: {}", name, e.toString(), e);
                    }
                },
                0,
                period.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
