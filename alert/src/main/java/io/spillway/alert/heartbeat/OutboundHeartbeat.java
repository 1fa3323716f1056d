package io.spillway.alert.heartbeat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.spillway.alert.notify.HttpDelivery;
import io.spillway.alert.notify.NotifyException;
import io.spillway.alert.notify.SecretUrl;
import io.spillway.event.Event;
import io.spillway.event.EventSeverity;
import io.spillway.event.Events;
import io.spillway.metrics.Metrics;
import io.spillway.thread.NamedThreadFactory;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead man's switch: pings an external monitor every {@code interval} so that the monitor
 * alerts when Spillway (or its host, or its network) stops — the one failure Spillway cannot
 * report itself.
 *
 * <p>A ping is {@code GET url} or {@code POST url} with a small JSON status:
 *
 * <pre>{@code
 * {"host": "node-7", "status": "ok", "time": "2026-11-26T03:12:09Z", "sequence": 1234,
 *  "details": {"open_incidents": "2"}}
 * }</pre>
 *
 * <p>({@code details} comes from the status supplier given by the node.) Any 2xx answer is a
 * success. Every ping counts in {@code spillway_heartbeat_pings_total{result=ok|failed}}; {@code
 * spillway_heartbeat_consecutive_failures} and {@code spillway_heartbeat_last_success_seconds} (Unix
 * time) show the current state. After {@code failures_before_event} consecutive failures the event
 * {@value #EVENT_KIND} (WARNING, FIRING) is published — the monitor will soon alert about a host that
 * is in fact alive, and whoever receives that alert should know why; the next success publishes
 * CLEARED.
 *
 * <p>Thread-safe. Pings run on one scheduler thread (injectable, so tests drive {@link #pingOnce}
 * directly or with their own executor); a ping never overlaps the next because the schedule has a
 * fixed delay, and each ping is bounded by {@code timeout}.
 */
public final class OutboundHeartbeat implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutboundHeartbeat.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public static final String EVENT_KIND = "heartbeat_ping_failed";

    private final HeartbeatConfig config;
    private final String host;
    private final Events events;
    private final InstantSource clock;
    private final Supplier<Map<String, String>> status;
    private final @Nullable HttpDelivery http;
    private final Counter pings;
    private final Gauge consecutive;
    private final Gauge lastSuccess;

    private long sequence;
    private int failures;
    private boolean firing;
    private @Nullable ScheduledExecutorService scheduler;
    private boolean ownScheduler;

    /**
     * @param status extra facts for the POST body (e.g. open incident count); called once per ping
     */
    public OutboundHeartbeat(
            HeartbeatConfig config,
            String host,
            Events events,
            Metrics metrics,
            InstantSource clock,
            Supplier<Map<String, String>> status) {
        this.config = config;
        this.host = host;
        this.events = events;
        this.clock = clock;
        this.status = status;
        SecretUrl url = config.url();
        this.http = url == null
                ? null
                : new HttpDelivery("heartbeat", "heartbeat", url.uri(), config.timeout(), config.timeout());
        this.pings = metrics.counter("spillway_heartbeat_pings", "Outbound heartbeat pings by result", "result");
        this.consecutive =
                metrics.gauge("spillway_heartbeat_consecutive_failures", "Outbound heartbeat pings failed in a row");
        this.lastSuccess = metrics.gauge(
                "spillway_heartbeat_last_success_seconds", "Unix time of the last successful outbound heartbeat");
    }

    /** Starts pinging on its own named daemon thread: the first ping now, then every interval. */
    public void start() {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, NamedThreadFactory.daemon("heartbeat-out"));
        s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        start(s, true);
    }

    /**
     * Starts pinging on {@code executor}; does nothing when the heartbeat is disabled.
     *
     * @param owned whether {@link #close} shuts the executor down
     */
    public synchronized void start(ScheduledExecutorService executor, boolean owned) {
        if (!config.enabled() || http == null || scheduler != null) {
            if (owned) {
                executor.shutdownNow();
            }
            return;
        }
        scheduler = executor;
        ownScheduler = owned;
        executor.scheduleWithFixedDelay(this::pingQuietly, 0, config.interval().toMillis(), TimeUnit.MILLISECONDS);
        log.info("outbound heartbeat to {} every {}", http.where(), config.interval());
    }

    private void pingQuietly() {
        try {
            pingOnce();
        } catch (RuntimeException e) {
            // A failed ping must never cancel the schedule.
            log.warn("outbound heartbeat failed: {}", e.toString());
        }
    }

    /**
     * Sends one ping now and updates metrics and events.
     *
     * @return true if the monitor answered 2xx
     */
    public boolean pingOnce() {
        HttpDelivery h = Objects.requireNonNull(http, "heartbeat has no url");
        long seq;
        synchronized (this) {
            seq = ++sequence;
        }
        Instant now = clock.instant();
        NotifyException failure = null;
        try {
            if (config.method() == HeartbeatConfig.Method.GET) {
                h.get();
            } else {
                h.postJson(body(now, seq), Map.of());
            }
        } catch (NotifyException e) {
            failure = e;
        }
        record(failure, clock.instant());
        return failure == null;
    }

    private byte[] body(Instant now, long seq) {
        ObjectNode root = JSON.createObjectNode();
        root.put("host", host);
        root.put("status", "ok");
        root.put("time", now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        root.put("sequence", seq);
        ObjectNode details = root.putObject("details");
        Map<String, String> facts;
        try {
            facts = status.get();
        } catch (RuntimeException e) {
            facts = Map.of("status_error", e.toString());
        }
        new TreeMap<>(facts).forEach(details::put);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("rendering a JSON tree cannot fail", e);
        }
    }

    private synchronized void record(@Nullable NotifyException failure, Instant now) {
        if (failure == null) {
            pings.labelValues("ok").inc();
            lastSuccess.set(now.getEpochSecond());
            failures = 0;
            consecutive.set(0);
            if (firing) {
                firing = false;
                log.info("outbound heartbeat works again");
                events.publish(event(now, Event.State.CLEARED, "outbound heartbeat works again", Map.of()));
            }
            return;
        }
        pings.labelValues("failed").inc();
        failures++;
        consecutive.set(failures);
        log.warn("outbound heartbeat ping failed ({} in a row): {}", failures, failure.getMessage());
        if (failures >= config.failuresBeforeEvent()) {
            firing = true;
            events.publish(event(
                    now,
                    Event.State.FIRING,
                    failures
                            + " outbound heartbeat pings failed in a row; the external monitor will report this host as down: "
                            + failure.getMessage(),
                    Map.of(
                            "consecutive_failures",
                            Integer.toString(failures),
                            "error",
                            String.valueOf(failure.getMessage()))));
        }
    }

    private Event event(Instant now, Event.State state, String summary, Map<String, String> details) {
        return new Event(now, EVENT_KIND, "outbound", EventSeverity.WARNING, state, host, null, summary, details);
    }

    /** Pings failed in a row so far (0 after a success). */
    public synchronized int consecutiveFailures() {
        return failures;
    }

    @Override
    public synchronized void close() {
        if (scheduler != null && ownScheduler) {
            scheduler.shutdownNow();
        }
        scheduler = null;
        if (http != null) {
            http.close();
        }
    }
}
