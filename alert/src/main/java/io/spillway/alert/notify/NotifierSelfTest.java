package io.spillway.alert.notify;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.spillway.config.Durations;
import io.spillway.event.Event;
import io.spillway.event.EventSeverity;
import io.spillway.event.Events;
import io.spillway.metrics.Metrics;
import io.spillway.thread.NamedThreadFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a {@code reason=test} notification to each target, at start-up and every {@code
 * self_test_interval}, so that a dead target (revoked webhook, rotated SMTP password, wrong routing
 * key) becomes an incident while other targets can still carry it, not at 3 am when it is needed.
 *
 * <p>Design: one run tries every periodic target (those with {@code self_test: true}) in turn, each
 * up to {@value #ATTEMPTS} times with {@code retryDelay} between retryable failures (a single network
 * blip is not an incident); a non-retryable failure (HTTP 4xx, refused login) counts at once. A failed
 * target publishes an {@link Event} of kind {@value #EVENT_KIND}, subject = the target's name, {@link
 * EventSeverity#WARNING}, {@link Event.State#FIRING} on every failed run (the incident engine groups
 * them by key and shows the latest error); the first success afterwards publishes {@link
 * Event.State#CLEARED}, which resolves the incident. {@link #test(String)}, used by {@code spillway
 * notify test NAME}, works for every target and updates the same state.
 *
 * <p>Metrics: {@code spillway_notifier_self_tests_total{target,result=ok|failed}} and {@code
 * spillway_notifier_up{target}} (1 after a passing test, 0 after a failing one). Target names are
 * bounded by the configuration.
 *
 * <p>What a test message looks like per type: webhook and Slack receive a message with {@code reason:
 * test}; email receives a mail with status {@code TEST}; PagerDuty receives a {@code resolve} for a
 * dedup key with no open alert, which PagerDuty validates and drops, so nobody is paged.
 *
 * <p>Thread-safe: runs happen on one named daemon thread; {@link #test} may be called from any thread.
 */
public final class NotifierSelfTest implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NotifierSelfTest.class);

    public static final String EVENT_KIND = "notifier_unreachable";

    /** Attempts per target per run; the delivery path the engine uses retries too. */
    static final int ATTEMPTS = 3;

    /** The outcome of testing one target. */
    public record Result(String target, String kind, boolean ok, boolean retryable, int attempts, String message) {
        /** One line for a terminal, e.g. {@code ok: webhook "oncall" accepted the test message}. */
        public String human() {
            return (ok ? "ok: " : "FAILED: ") + message;
        }
    }

    private final Map<String, Notifier> notifiers;
    private final Set<String> periodic;
    private final Duration interval;
    private final Duration retryDelay;
    private final String host;
    private final Events events;
    private final InstantSource clock;
    private final Counter runs;
    private final Gauge up;
    /** Targets whose last test failed; the next success publishes CLEARED. */
    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    private @Nullable ScheduledThreadPoolExecutor scheduler;

    /**
     * @param notifiers every target, by name (from {@link Notifiers#build})
     * @param periodic the names tested periodically ({@link #periodicTargets})
     * @param interval how often to test; {@link Duration#ZERO} turns periodic tests off
     * @param retryDelay the pause between attempts on a retryable failure (e.g. 10s)
     * @param host this node's host name, for events and test messages
     */
    public NotifierSelfTest(
            Map<String, Notifier> notifiers,
            Set<String> periodic,
            Duration interval,
            Duration retryDelay,
            String host,
            Events events,
            Metrics metrics,
            InstantSource clock) {
        if (interval.isNegative() || retryDelay.isNegative()) {
            throw new IllegalArgumentException("interval and retry delay must not be negative");
        }
        this.notifiers = Map.copyOf(notifiers);
        this.periodic = Set.copyOf(periodic);
        this.interval = interval;
        this.retryDelay = retryDelay;
        this.host = host;
        this.events = events;
        this.clock = clock;
        this.runs = metrics.counter(
                "spillway_notifier_self_tests", "Notifier self-tests by target and result", "target", "result");
        this.up = metrics.gauge(
                "spillway_notifier_up", "1 if the target's last self-test passed, 0 if it failed", "target");
    }

    /**
     * One test of one target outside a running node ({@code spillway notify test NAME} in its own
     * process): same attempts and messages, no events, throwaway metrics.
     *
     * @param retryDelay the pause between attempts on a retryable failure (e.g. 2s)
     */
    public static Result testTarget(
            Map<String, Notifier> notifiers, String target, String host, Duration retryDelay, InstantSource clock) {
        NotifierSelfTest t = new NotifierSelfTest(
                notifiers, Set.of(), Duration.ZERO, retryDelay, host, Events.NONE, new Metrics(), clock);
        return t.test(target);
    }

    /** The targets with {@code self_test: true}. */
    public static Set<String> periodicTargets(Map<String, TargetConfig> targets) {
        Set<String> out = new java.util.LinkedHashSet<>();
        targets.forEach((name, c) -> {
            if (c.selfTest()) {
                out.add(name);
            }
        });
        return out;
    }

    /** Starts periodic tests: the first run now (on the test thread), then every interval. */
    public synchronized void start() {
        if (interval.isZero() || scheduler != null || periodic.isEmpty()) {
            return;
        }
        ScheduledThreadPoolExecutor s =
                new ScheduledThreadPoolExecutor(1, NamedThreadFactory.daemon("notifier-self-test"));
        s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        s.scheduleWithFixedDelay(this::runQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        scheduler = s;
    }

    private void runQuietly() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            // Never let one bad run cancel the schedule.
            log.warn("notifier self-test run failed: {}", e.toString());
        }
    }

    /** Tests every periodic target once, publishing events on failure and on recovery. */
    public List<Result> runOnce() {
        List<Result> results = new java.util.ArrayList<>();
        for (String name : notifiers.keySet()) {
            if (periodic.contains(name)) {
                results.add(test(name));
            }
        }
        return results;
    }

    /**
     * Tests one target now ({@code spillway notify test NAME}), with the same retries, events and
     * metrics as a periodic run.
     */
    public Result test(String target) {
        Notifier n = notifiers.get(target);
        if (n == null) {
            return new Result(
                    target,
                    "?",
                    false,
                    false,
                    0,
                    "no target named \"" + target + "\"; configured targets: "
                            + (notifiers.isEmpty()
                                    ? "none"
                                    : String.join(", ", new java.util.TreeSet<>(notifiers.keySet()))));
        }
        Result r = attempt(n);
        record(n, r);
        return r;
    }

    private Result attempt(Notifier n) {
        String what = n.kind() + " \"" + n.name() + "\"";
        NotifyException last = null;
        int attempts = 0;
        while (attempts < ATTEMPTS) {
            attempts++;
            try {
                n.send(testNotification(n.name(), host, clock.instant()));
                return new Result(n.name(), n.kind(), true, false, attempts, what + " accepted the test message");
            } catch (NotifyException e) {
                last = e;
                if (!e.retryable() || attempts == ATTEMPTS || !pause()) {
                    break;
                }
            } catch (RuntimeException e) {
                // A notifier bug must show up as a failed target, not kill the self-test.
                last = new NotifyException(what + ": " + e, false, e);
                break;
            }
        }
        String msg = last == null ? what + " failed" : String.valueOf(last.getMessage());
        return new Result(
                n.name(),
                n.kind(),
                false,
                last != null && last.retryable(),
                attempts,
                msg + " (after " + attempts + (attempts == 1 ? " attempt)" : " attempts)"));
    }

    /** Sleeps {@code retryDelay}; false when interrupted (then the run stops retrying). */
    private boolean pause() {
        if (retryDelay.isZero()) {
            return true;
        }
        try {
            Thread.sleep(retryDelay);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private synchronized void record(Notifier n, Result r) {
        runs.labelValues(n.name(), r.ok() ? "ok" : "failed").inc();
        up.labelValues(n.name()).set(r.ok() ? 1 : 0);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("target", n.name());
        details.put("kind", n.kind());
        Instant now = clock.instant();
        if (r.ok()) {
            if (failing.remove(n.name())) {
                log.info("notifier {} works again", n.name());
                events.publish(new Event(
                        now,
                        EVENT_KIND,
                        n.name(),
                        EventSeverity.WARNING,
                        Event.State.CLEARED,
                        host,
                        null,
                        "notifier " + n.name() + " (" + n.kind() + ") works again",
                        details));
            }
            return;
        }
        failing.add(n.name());
        log.warn("notifier self-test failed: {}", r.message());
        details.put("error", r.message());
        details.put("retryable", Boolean.toString(r.retryable()));
        events.publish(new Event(
                now,
                EVENT_KIND,
                n.name(),
                EventSeverity.WARNING,
                Event.State.FIRING,
                host,
                null,
                "notifier " + n.name() + " (" + n.kind() + ") failed its self-test: " + r.message(),
                details));
    }

    /** The message a self-test sends: reason {@code test}, severity info, no acknowledge link. */
    public static Notification testNotification(String target, String host, Instant now) {
        return new Notification(
                "test",
                "test",
                "spillway-self-test/" + host + "/" + target,
                EventSeverity.INFO,
                "triggered",
                "Spillway notifier self-test for target " + target + " from " + host,
                host,
                null,
                null,
                Map.of("target", target),
                "",
                null,
                0,
                now);
    }

    /** How often periodic tests run, for status output. */
    public String describeInterval() {
        return interval.isZero() ? "off" : "every " + Durations.format(interval);
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
