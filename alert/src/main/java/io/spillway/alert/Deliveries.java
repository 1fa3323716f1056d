package io.spillway.alert;

import io.prometheus.metrics.core.metrics.Counter;
import io.spillway.alert.notify.Notification;
import io.spillway.alert.notify.Notifier;
import io.spillway.alert.notify.NotifyException;
import io.spillway.metrics.Metrics;
import io.spillway.retry.ExponentialBackoff;
import io.spillway.thread.NamedThreadFactory;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery half of the incident engine (the engine decides who is paged and when, like Kafka's
 * {@code RecordAccumulator}; this class sends, like its {@code Sender}): notification jobs waiting
 * for their due time, attempts in flight on the delivery executor, their outcomes, and retries with
 * {@link ExponentialBackoff}. It knows nothing of incidents beyond their id; the engine turns every
 * outcome into a timeline entry.
 *
 * <h2>Threads and locks</h2>
 *
 * <ul>
 *   <li>{@code pending} is a plain deque confined to callers holding the engine's monitor: {@link
 *       #offer}, {@link #dispatchDue}, {@link #settle}, {@link #pending} and {@link #queued} are only
 *       called by {@link IncidentEngine} under its lock. Not thread-safe otherwise.
 *   <li>Delivery threads run {@link #attempt} and touch only {@code outcomes} (a concurrent queue)
 *       and {@code inFlight} (atomic); they never take the engine's lock, so a slow target holds only
 *       its own thread.
 *   <li>{@link #poll} may be called from any thread; the engine calls it under its lock.
 * </ul>
 *
 * <h2>Bounds</h2>
 *
 * Jobs waiting or in flight are bounded by {@code alert.delivery.max_pending} ({@link #offer}
 * answers false beyond it; the engine counts the drop as {@code
 * spillway_alert_signals_dropped{reason="delivery_queue_full"}}); attempts per job by {@code
 * alert.delivery.max_attempts}. Jobs are not persisted: after a restart escalation goes on from the
 * persisted level.
 */
final class Deliveries {
    // The engine's logger name, as before the split, so logging configs that name it still match.
    private static final Logger log = LoggerFactory.getLogger(IncidentEngine.class);

    private final AlertConfig.Delivery config;
    private final Executor executor;
    private final @Nullable ExecutorService ownedExecutor;
    private final RandomGenerator random;
    private final ExponentialBackoff backoff;

    private final ArrayDeque<Job> pending = new ArrayDeque<>();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();

    private final Counter sent;
    private final Counter failed;

    /**
     * @param executor runs notifier calls; {@code null} for an owned pool of {@code delivery.threads}
     *     named threads (shut down by {@link #shutdown()})
     * @param random the jitter source for retry backoff
     */
    Deliveries(AlertConfig.Delivery config, @Nullable Executor executor, RandomGenerator random, Metrics metrics) {
        this.config = config;
        this.random = random;
        this.backoff = new ExponentialBackoff(config.initialBackoff(), config.maxBackoff());
        if (executor == null) {
            ownedExecutor = deliveryPool(config.threads());
            this.executor = ownedExecutor;
        } else {
            ownedExecutor = null;
            this.executor = executor;
        }
        sent = metrics.counter("spillway_alert_notifications_sent", "Notifications delivered, per target.", "target");
        failed = metrics.counter(
                "spillway_alert_notifications_failed",
                "Failed notification attempts, per target (each retry counts).",
                "target");
    }

    private static ExecutorService deliveryPool(int threads) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                threads,
                threads,
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                NamedThreadFactory.daemon("alert-delivery-", 1));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * Queues the first attempt of {@code n} to {@code target}, due now.
     *
     * @return false, queueing nothing, if {@code max_pending} jobs are waiting or in flight
     */
    boolean offer(long incidentId, Notifier target, Notification n, Instant now) {
        if (queued() >= config.maxPending()) {
            return false;
        }
        pending.add(new Job(incidentId, target, n, 1, now));
        return true;
    }

    /** Jobs waiting (or waiting to retry) plus attempts in flight: what {@code max_pending} bounds. */
    int queued() {
        return pending.size() + inFlight.get();
    }

    /** Jobs waiting (or waiting to retry), for tests and diagnostics. */
    int pending() {
        return pending.size();
    }

    /** Hands every job due at {@code now} to the executor; a rejected one becomes a retryable failure. */
    void dispatchDue(Instant now) {
        for (Iterator<Job> it = pending.iterator(); it.hasNext(); ) {
            Job j = it.next();
            if (now.isBefore(j.due)) {
                continue;
            }
            it.remove();
            inFlight.incrementAndGet();
            try {
                executor.execute(() -> attempt(j));
            } catch (RejectedExecutionException e) {
                inFlight.decrementAndGet();
                outcomes.add(new Outcome(j, new NotifyException(j.target.name() + ": executor rejected", true)));
            }
        }
    }

    /** Runs on a delivery thread: one attempt, outcome queued for the tick. Never takes a lock. */
    private void attempt(Job j) {
        NotifyException error = null;
        try {
            j.target.send(j.notification);
        } catch (NotifyException e) {
            error = e;
        } catch (RuntimeException e) {
            error = new NotifyException(j.target.name() + ": " + e, true, e);
        } finally {
            inFlight.decrementAndGet();
        }
        outcomes.add(new Outcome(j, error));
    }

    /** The next finished attempt, or null if none is waiting to be recorded. */
    @Nullable
    Outcome poll() {
        return outcomes.poll();
    }

    /**
     * Counts an outcome and, if it failed retryably with attempts left and {@code retryAllowed},
     * queues the next attempt after the backoff.
     *
     * @return when the retry is due, or null if it was delivered or given up
     */
    @Nullable
    Instant settle(Outcome o, Instant now, boolean retryAllowed) {
        Job j = o.job;
        String target = j.target.name();
        if (o.error == null) {
            sent.labelValues(target).inc();
            return null;
        }
        failed.labelValues(target).inc();
        if (o.error.retryable() && j.attempt < config.maxAttempts() && retryAllowed) {
            Instant due = now.plus(backoff.delay(j.attempt, random));
            pending.add(new Job(j.incidentId, j.target, j.notification, j.attempt + 1, due));
            return due;
        }
        log.warn(
                "incident engine: gave up notifying {} about incident {}: {}",
                target,
                j.incidentId,
                o.error.getMessage());
        return null;
    }

    /**
     * Stops an owned executor, waiting up to 5 s for attempts in flight; their outcomes stay queued
     * for {@link #poll}. Pending jobs are left as they are (the engine abandons them).
     */
    void shutdown() {
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
            try {
                ownedExecutor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ownedExecutor.shutdownNow();
        }
    }

    /** One attempt (1-based) of one notification to one target, due at {@code due}. */
    record Job(long incidentId, Notifier target, Notification notification, int attempt, Instant due) {}

    /** A finished attempt; {@code error} is null if it was delivered. */
    record Outcome(Job job, @Nullable NotifyException error) {}
}
