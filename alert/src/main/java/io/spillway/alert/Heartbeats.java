package io.spillway.alert;

import io.prometheus.metrics.core.metrics.Counter;
import io.spillway.alert.signal.IncidentSource;
import io.spillway.alert.signal.Signal;
import io.spillway.event.EventSeverity;
import io.spillway.metrics.Metrics;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Host liveness ({@code alert.heartbeat}): the node calls {@link #beat} whenever a host's pipeline
 * shows life (an agent's heartbeat, records arriving from it); a host silent for {@code
 * silent_after} gets a critical host incident {@code heartbeat/<host>}, which clears when beats
 * return.
 *
 * <p>Bounded: at most {@code max_hosts} hosts are tracked; beats of further hosts are ignored and
 * counted ({@code spillway_alert_heartbeat_untracked}). A decommissioned host keeps paging until
 * acknowledged; {@link #forget} stops tracking it. {@link #beat} is cheap and lock-free (one map
 * lookup and a volatile write); firing and clearing happen in {@link #evaluate}, called by the
 * engine's tick. Thread-safe.
 */
public final class Heartbeats {
    private final AlertConfig.Heartbeat config;
    private final ConcurrentHashMap<String, HostState> hosts = new ConcurrentHashMap<>();
    private final Counter untracked;
    private final java.util.concurrent.atomic.AtomicInteger tracked = new java.util.concurrent.atomic.AtomicInteger();

    Heartbeats(AlertConfig.Heartbeat config, Metrics metrics) {
        this.config = config;
        this.untracked = metrics.counter(
                "spillway_alert_heartbeat_untracked",
                "Heartbeats ignored because alert.heartbeat.max_hosts hosts are tracked.");
    }

    /** Records that {@code host} is alive at {@code now}. */
    public void beat(String host, Instant now) {
        if (!config.enabled()) {
            return;
        }
        HostState st = hosts.get(host);
        if (st == null) {
            st = hosts.computeIfAbsent(host, h -> {
                if (tracked.incrementAndGet() > config.maxHosts()) {
                    tracked.decrementAndGet();
                    return null;
                }
                return new HostState();
            });
            if (st == null) {
                untracked.inc();
                return;
            }
        }
        st.last = Math.max(st.last, now.toEpochMilli());
    }

    /** Stops watching a host (decommissioned); an open heartbeat incident stays until resolved. */
    public void forget(String host) {
        if (hosts.remove(host) != null) {
            tracked.decrementAndGet();
        }
    }

    /** Hosts watched now. */
    public int trackedHosts() {
        return hosts.size();
    }

    static String key(String host) {
        return Signal.boundedKey("heartbeat/" + host);
    }

    /** Marks a host whose heartbeat incident was open before a restart: it clears on the next beat. */
    void restore(String host) {
        // Bounded by the open incidents (alert.max_open), not by max_hosts: a host that was paging
        // before the restart must still be able to clear.
        HostState st = hosts.computeIfAbsent(host, h -> {
            tracked.incrementAndGet();
            return new HostState();
        });
        st.firing = true;
    }

    void evaluate(Instant now, IncidentEngine.Sink sink) {
        if (!config.enabled()) {
            return;
        }
        long t = now.toEpochMilli();
        long silent = config.silentAfter().toMillis();
        for (Map.Entry<String, HostState> e : hosts.entrySet()) {
            HostState st = e.getValue();
            String host = e.getKey();
            boolean dead = t - st.last >= silent;
            if (dead && !st.firing) {
                st.firing = true;
                String since =
                        st.last == 0 ? "never" : Instant.ofEpochMilli(st.last).toString();
                sink.fire(new Signal(
                        IncidentSource.HEARTBEAT,
                        key(host),
                        "heartbeat",
                        EventSeverity.CRITICAL,
                        "host " + host + " is silent: no heartbeat for "
                                + io.spillway.config.Durations.format(config.silentAfter()) + " (last " + since + ")",
                        host,
                        null,
                        Map.of("kind", "heartbeat", "host", host),
                        Map.of("last_beat", since),
                        null,
                        now));
            } else if (!dead && st.firing) {
                st.firing = false;
                sink.clear(key(host), IncidentSource.HEARTBEAT);
            }
        }
    }

    /** {@code last} is written by beating threads; {@code firing} only by the tick thread. */
    private static final class HostState {
        volatile long last;
        volatile boolean firing;
    }
}
