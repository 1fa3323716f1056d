package io.spillway.server;

import io.spillway.input.netty.PeerErrorLog;
import io.spillway.pipeline.InputMetrics;
import io.spillway.thread.NamedThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.server.HttpChannel;
import org.eclipse.jetty.server.Request;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP listener's connection bounds, as a Jetty connector bean: it hears every connection open and
 * close ({@link Connection.Listener}) and every request's phases ({@link HttpChannel.Listener}).
 *
 * <h2>Bounds</h2>
 *
 * <ul>
 *   <li>Per source: at most {@code http.max_connections_per_source} connections from one IP address;
 *       one more is closed when it opens ({@code per_source_limit}).
 *   <li>In all: at most {@code http.max_connections}. One more closes the connection idle the longest
 *       (by Jetty's own activity clock), if it has been idle at least {@link HttpServer#MIN_IDLE_TO_EVICT}
 *       ({@code idle_evicted}), so thousands of idle sockets cannot lock a new client out; when every
 *       connection is busy, the new one is closed instead ({@code connection_refused}). For the moment
 *       an evicted connection takes to close, the count may pass the bound by one per acceptor.
 *   <li>Headers: once a request's first byte has arrived, its line and headers must be complete within
 *       {@code http.header_timeout} ({@code header_timeout}). Jetty's idle timeout ({@code
 *       http.idle_timeout}) only fires on silence, so a client sending one byte a second would
 *       otherwise hold its connection and thread-free slot forever.
 *   <li>Body: a request's body must be complete within {@code http.body_timeout} of its headers
 *       ({@code body_timeout}).
 * </ul>
 *
 * The timeouts are checked by a sweep every {@link #sweepInterval} on one named daemon thread, against
 * the injected clock; a connection cut by one is closed without an answer (the client is not reading
 * one anyway). The first byte of a request is noticed by the sweep (the connection's byte count grew
 * since its last request ended), so a timeout fires between {@code header_timeout} and {@code
 * header_timeout} plus one sweep interval after it.
 *
 * <p>Every cut is counted in {@code spillway_input_errors{input="http",kind}} and logged at most once
 * per 10 seconds ({@link PeerErrorLog}). Thread-safe: Jetty calls it from its selector and worker
 * threads, the sweep from its own.
 */
final class ConnectionLimits implements Connection.Listener, HttpChannel.Listener {
    private final int maxConnections;
    private final int maxPerSource;
    private final long headerTimeoutMillis;
    private final long bodyTimeoutMillis;
    private final long minIdleToEvictMillis;
    private final InputMetrics metrics;
    private final PeerErrorLog errors;
    private final InstantSource clock;
    private final Map<Connection, State> open = new ConcurrentHashMap<>();
    private final Map<InetAddress, Integer> perSource = new ConcurrentHashMap<>();
    private @Nullable ScheduledExecutorService sweeper;

    ConnectionLimits(
            HttpConfig config,
            Duration minIdleToEvict,
            InputMetrics metrics,
            PeerErrorLog errors,
            InstantSource clock) {
        this.maxConnections = config.maxConnections();
        this.maxPerSource = config.maxConnectionsPerSource();
        this.headerTimeoutMillis = config.headerTimeout().toMillis();
        this.bodyTimeoutMillis = config.bodyTimeout().toMillis();
        this.minIdleToEvictMillis = minIdleToEvict.toMillis();
        this.metrics = metrics;
        this.errors = errors;
        this.clock = clock;
    }

    /** How often the timeouts are checked: a quarter of the shorter one, between 10ms and 1s. */
    Duration sweepInterval() {
        long q = Math.min(headerTimeoutMillis, bodyTimeoutMillis) / 4;
        return Duration.ofMillis(Math.max(10, Math.min(1000, q)));
    }

    void start() {
        ScheduledExecutorService s =
                Executors.newSingleThreadScheduledExecutor(NamedThreadFactory.daemon("spillway-http-timeouts"));
        long every = sweepInterval().toMillis();
        s.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.MILLISECONDS);
        sweeper = s;
    }

    void stop() {
        ScheduledExecutorService s = sweeper;
        if (s != null) {
            s.shutdownNow();
            sweeper = null;
        }
    }

    /** Connections open now (for tests). */
    int openConnections() {
        return open.size();
    }

    @Override
    public void onOpened(Connection connection) {
        InetSocketAddress remote = connection.getEndPoint().getRemoteAddress();
        InetAddress source = remote == null ? InetAddress.getLoopbackAddress() : remote.getAddress();
        State state = new State(connection, source);
        open.put(connection, state);
        int fromSource = perSource.merge(source, 1, Integer::sum);
        if (fromSource > maxPerSource) {
            state.closing = true;
            errors.error(
                    "per_source_limit",
                    remote,
                    fromSource - 1
                            + " connections from this address are open, the most http.max_connections_per_source ("
                            + maxPerSource + ") allows");
            connection.close();
            return;
        }
        if (open.size() > maxConnections) {
            State victim = longestIdle(state);
            if (victim == null) {
                state.closing = true;
                errors.error(
                        "connection_refused",
                        remote,
                        "http.max_connections (" + maxConnections + ") are open and none idle for "
                                + minIdleToEvictMillis + "ms");
                connection.close();
            } else {
                errors.error(
                        "idle_evicted",
                        victim.connection.getEndPoint().getRemoteAddress(),
                        "http.max_connections (" + maxConnections + ") are open; closed this one, idle for "
                                + idleFor(victim) + "ms, for a new client");
                victim.connection.close();
            }
        }
    }

    private @Nullable State longestIdle(State except) {
        State best = null;
        long bestIdle = minIdleToEvictMillis - 1;
        for (State s : open.values()) {
            if (s == except || s.closing || s.phase != Phase.WAITING) {
                // A request being received or answered (an ingest waiting for durability does no
                // I/O for seconds) is never evicted: its client would retry and store it twice.
                continue;
            }
            long idle = idleFor(s);
            if (idle > bestIdle) {
                best = s;
                bestIdle = idle;
            }
        }
        if (best != null) {
            best.closing = true;
        }
        return best;
    }

    /** Milliseconds since the connection last read or wrote, by Jetty's own activity clock. */
    private static long idleFor(State s) {
        return s.connection.getEndPoint() instanceof IdleTimeout t ? t.getIdleFor() : 0;
    }

    @Override
    public void onClosed(Connection connection) {
        State s = open.remove(connection);
        if (s != null) {
            perSource.computeIfPresent(s.source, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    @Override
    public void onRequestBegin(Request request) {
        State s = open.get(request.getHttpChannel().getConnection());
        if (s != null) {
            s.phaseSinceMillis = clock.millis();
            // A request without a body (a GET, a live tail) has nothing left to receive: its answer may
            // take as long as it takes. Jetty tells the end of a body only once the route reads it.
            boolean body = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
            s.phase = body ? Phase.BODY : Phase.HANDLING;
        }
    }

    @Override
    public void onRequestContentEnd(Request request) {
        onRequestEnd(request);
    }

    @Override
    public void onRequestEnd(Request request) {
        State s = open.get(request.getHttpChannel().getConnection());
        if (s != null) {
            s.phase = Phase.HANDLING;
        }
    }

    @Override
    public void onComplete(Request request) {
        State s = open.get(request.getHttpChannel().getConnection());
        if (s != null) {
            s.bytesMark = s.connection.getBytesIn();
            s.phaseSinceMillis = 0;
            s.phase = Phase.WAITING;
        }
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            metrics.error("internal_error");
        }
    }

    /** One check of every connection's header and body deadline. */
    void sweep() {
        long now = clock.millis();
        for (State s : open.values()) {
            if (s.closing) {
                continue;
            }
            switch (s.phase) {
                case WAITING -> {
                    if (s.phaseSinceMillis == 0) {
                        if (s.connection.getBytesIn() > s.bytesMark) {
                            s.phaseSinceMillis = now; // the next request's first bytes have arrived
                        }
                    } else if (now - s.phaseSinceMillis >= headerTimeoutMillis) {
                        cut(
                                s,
                                "header_timeout",
                                "request headers incomplete after http.header_timeout (" + headerTimeoutMillis
                                        + "ms); closing");
                    }
                }
                case BODY -> {
                    if (now - s.phaseSinceMillis >= bodyTimeoutMillis) {
                        cut(
                                s,
                                "body_timeout",
                                "request body incomplete after http.body_timeout (" + bodyTimeoutMillis
                                        + "ms); closing");
                    }
                }
                case HANDLING -> {}
            }
        }
    }

    private void cut(State s, String kind, String detail) {
        s.closing = true;
        errors.error(kind, s.connection.getEndPoint().getRemoteAddress(), detail);
        s.connection.close();
    }

    private enum Phase {
        /** Between requests: waiting for, or receiving, the next request's headers. */
        WAITING,
        /** Headers complete, body being received. */
        BODY,
        /** Body complete, the request is being handled or answered. */
        HANDLING
    }

    /** One open connection. Fields are written by Jetty's threads and read by the sweep. */
    private static final class State {
        final Connection connection;
        final InetAddress source;
        volatile Phase phase = Phase.WAITING;
        /** When the phase began; in WAITING, when the next request's first bytes were seen (0: none yet). */
        volatile long phaseSinceMillis;
        /** Bytes read when the last request ended. */
        volatile long bytesMark;

        volatile boolean closing;

        State(Connection connection, InetAddress source) {
            this.connection = connection;
            this.source = source;
        }
    }
}
