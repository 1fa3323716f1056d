package io.spillway.pipeline;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.spillway.metrics.Metrics;

/**
 * The counters every input keeps (issue: per input received records, bytes and errors). Errors carry
 * a kind from the input's own small vocabulary ({@code parse_error}, {@code frame_truncated},
 * {@code connection_refused}, {@code idle_timeout}, …). Thread-safe.
 */
public final class InputMetrics {
    private final String input;
    private final CounterDataPoint records;
    private final CounterDataPoint bytes;
    private final Counter errors;
    private final CounterDataPoint connections;
    private final java.util.concurrent.atomic.LongAdder errorTotal = new java.util.concurrent.atomic.LongAdder();

    public InputMetrics(Metrics metrics, String input) {
        this.input = input;
        this.records = metrics.counter(
                        "spillway_input_received_records", "Records received by an input, before the guard.", "input")
                .labelValues(input);
        this.bytes = metrics.counter("spillway_input_received_bytes", "Message bytes received by an input.", "input")
                .labelValues(input);
        this.errors = metrics.counter(
                "spillway_input_errors", "Problems an input met, by kind; the input kept serving.", "input", "kind");
        this.connections = metrics.counter("spillway_input_connections", "Connections accepted by an input.", "input")
                .labelValues(input);
    }

    public void received(long messageBytes) {
        records.inc();
        bytes.inc(messageBytes);
    }

    public void error(String kind) {
        errors.labelValues(input, kind).inc();
        errorTotal.increment();
    }

    /** Errors of every kind so far; a condition watch turns a burst into an {@code input_errors} event. */
    public long errorCount() {
        return errorTotal.sum();
    }

    public void connectionOpened() {
        connections.inc();
    }

    public String input() {
        return input;
    }
}
