package io.spillway.input.netty;

import io.spillway.pipeline.InputMetrics;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Counts an input's errors and logs them, naming the peer, at most once per interval for the whole
 * input, so a sender of garbage cannot flood Spillway's own log while every occurrence is still
 * counted in {@code spillway_input_errors{input,kind}}. The line reads {@code "<protocol> input
 * <name>: <kind> from <peer>: <detail>; further errors are counted but not logged for <N>s"}.
 *
 * <p>Thread-safe: called from every event loop. The check-then-set on the last log time is not atomic,
 * so two threads may each log a line in the same instant; that costs one extra line, never a count.
 */
public final class PeerErrorLog {
    private final String protocol;
    private final InputMetrics metrics;
    private final Logger log;
    private final InstantSource clock;
    private final long intervalSeconds;
    private final long intervalMillis;
    private volatile long lastLogMillis = Long.MIN_VALUE;

    /**
     * @param protocol the input's protocol as it starts its log lines, e.g. {@code gelf}
     * @param metrics the input's counters; {@link InputMetrics#input()} names the input in log lines
     * @param log the input's logger, so its lines keep their logger name
     * @param clock the wall clock that spaces the log lines
     * @param interval the least time between two log lines, whole seconds
     */
    public PeerErrorLog(String protocol, InputMetrics metrics, Logger log, InstantSource clock, Duration interval) {
        this.protocol = protocol;
        this.metrics = metrics;
        this.log = log;
        this.clock = clock;
        this.intervalSeconds = interval.toSeconds();
        this.intervalMillis = interval.toMillis();
    }

    /** Counts one error of {@code kind} and logs it unless a line was logged within the interval. */
    public void error(String kind, @Nullable SocketAddress remote, @Nullable String detail) {
        metrics.error(kind);
        warn(kind, remote, detail);
    }

    /**
     * Logs an error that was already counted (e.g. {@code connection_refused}, counted by {@link
     * NettyServer}) unless a line was logged within the interval.
     */
    public void warn(String kind, @Nullable SocketAddress remote, @Nullable String detail) {
        long now = clock.millis();
        long last = lastLogMillis;
        if (last == Long.MIN_VALUE || now - last >= intervalMillis) {
            lastLogMillis = now;
            log.warn(
                    protocol + " input {}: {} from {}: {}; further errors are counted but not logged for {}s",
                    metrics.input(),
                    kind,
                    remote == null ? "-" : NettyServer.peerHost(remote),
                    detail,
                    intervalSeconds);
        }
    }
}
