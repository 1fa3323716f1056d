package io.spillway.pipeline;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.spillway.buffer.Batch;
import io.spillway.buffer.Buffer;
import io.spillway.clock.SystemClock;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import io.spillway.retry.ExponentialBackoff;
import io.spillway.space.FloorException;
import io.spillway.thread.NamedThreadFactory;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves batches from one output's buffer to the output, at least once: a batch is committed only
 * after {@link Output#write} returned, and released for retry (with backoff) when it threw.
 *
 * <p>Threading: one dedicated thread named {@code output-NAME}. {@link #runOnce} is the loop body,
 * callable from tests. On {@link #stop}, the worker keeps delivering until the buffer is empty or the
 * drain deadline passes, then flushes and closes the output.
 */
public final class OutputWorker {
    private static final Logger log = LoggerFactory.getLogger(OutputWorker.class);

    /**
     * How long delivered records may sit in an output's own buffers (e.g. a file's write buffer) before
     * a flush. Short, because readers tail the files: a flush to the OS is one write call per file.
     */
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(100);

    private final Output output;
    private final Buffer buffer;
    private final int maxBatchRecords;
    private final long maxBatchBytes;
    private final Duration flushInterval;
    private final ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofMillis(100), Duration.ofSeconds(30));
    /** Failed deliveries since the last success; the worker thread's own. */
    private int failures;

    private final CounterDataPoint writtenRecords;
    private final CounterDataPoint writtenBytes;
    private final CounterDataPoint errors;
    private final Thread thread;
    private final InstantSource clock;
    private volatile boolean running;
    private volatile long drainDeadlineNanos = Long.MAX_VALUE;
    /** Batches delivered so far; written by the worker thread only, read by liveness checks. */
    private volatile long deliveredBatches;
    /** Wall-clock millis of the first failed write since the last success; 0 while healthy. */
    private volatile long failingSinceMillis;

    private volatile String lastError = "";

    private long lastFlushNanos = System.nanoTime();
    private boolean dirty;

    public OutputWorker(Output output, Buffer buffer, Metrics metrics, int maxBatchRecords, long maxBatchBytes) {
        this(output, buffer, metrics, maxBatchRecords, maxBatchBytes, DEFAULT_FLUSH_INTERVAL);
    }

    /** With the system clock for {@link #failingSinceMillis}. */
    public OutputWorker(
            Output output,
            Buffer buffer,
            Metrics metrics,
            int maxBatchRecords,
            long maxBatchBytes,
            Duration flushInterval) {
        this(output, buffer, metrics, maxBatchRecords, maxBatchBytes, flushInterval, SystemClock.instantSource());
    }

    /**
     * @param clock the wall clock that stamps {@link #failingSinceMillis}; the condition watch compares
     *     that stamp with its own clock, so the node passes both the same one
     */
    public OutputWorker(
            Output output,
            Buffer buffer,
            Metrics metrics,
            int maxBatchRecords,
            long maxBatchBytes,
            Duration flushInterval,
            InstantSource clock) {
        this.output = output;
        this.clock = clock;
        this.buffer = buffer;
        this.maxBatchRecords = maxBatchRecords;
        this.maxBatchBytes = maxBatchBytes;
        this.flushInterval = flushInterval;
        String name = output.name();
        this.writtenRecords = metrics.counter(
                        "spillway_output_written_records", "Records an output delivered.", "output")
                .labelValues(name);
        this.writtenBytes = metrics.counter(
                        "spillway_output_written_bytes", "Message bytes an output delivered.", "output")
                .labelValues(name);
        this.errors = metrics.counter(
                        "spillway_output_errors", "Failed delivery attempts; each batch is retried.", "output")
                .labelValues(name);
        // Non-daemon: a worker drains its buffer on shutdown, and the JVM must wait for that.
        this.thread = NamedThreadFactory.nonDaemon("output-" + name).newThread(this::run);
    }

    public String name() {
        return output.name();
    }

    /** The output this worker delivers to. */
    public Output output() {
        return output;
    }

    public Buffer buffer() {
        return buffer;
    }

    /** Whether the worker thread is running (false before {@link #start} and after it ended). */
    public boolean isAlive() {
        return thread.isAlive();
    }

    /**
     * Batches delivered since start; a liveness check compares two readings to tell a working output
     * from one stuck with records waiting.
     */
    public long deliveredBatches() {
        return deliveredBatches;
    }

    /**
     * Epoch millis of the first failed delivery since the last successful one, or 0 while the output
     * delivers; a condition watch turns a long failure into an {@code output_down} event.
     */
    public long failingSinceMillis() {
        return failingSinceMillis;
    }

    /** The last delivery error's message; empty if none yet. */
    public String lastError() {
        return lastError;
    }

    public void start() throws IOException {
        output.start();
        running = true;
        thread.start();
    }

    /** Stops after draining for at most {@code drain}; returns when the output is closed. */
    public void stop(Duration drain) {
        drainDeadlineNanos = System.nanoTime() + drain.toNanos();
        running = false;
        try {
            thread.join(drain.plusSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
    }

    private void run() {
        while (running || (buffer.records() > 0 && System.nanoTime() < drainDeadlineNanos)) {
            try {
                runOnce(Duration.ofMillis(running ? 200 : 20));
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                log.error("output {}: unexpected error, continuing", output.name(), e);
            }
        }
        long left = buffer.records();
        if (left > 0) {
            log.warn("output {}: stopped with {} records undelivered in its buffer", output.name(), left);
        }
        try {
            output.flush();
        } catch (IOException e) {
            log.error("output {}: flush at shutdown failed: {}", output.name(), e.getMessage());
        }
        try {
            output.close();
        } catch (IOException e) {
            log.error("output {}: close failed: {}", output.name(), e.getMessage());
        }
    }

    /** One loop step: deliver one batch (or flush when idle). Returns true if a batch was delivered. */
    public boolean runOnce(Duration wait) throws InterruptedException {
        if (dirty) {
            // Do not sleep past the next flush: delivered records should become visible promptly.
            long untilFlush = flushInterval.toNanos() - (System.nanoTime() - lastFlushNanos);
            if (untilFlush < wait.toNanos()) {
                wait = Duration.ofNanos(Math.max(0, untilFlush));
            }
        }
        @Nullable Batch batch = buffer.poll(maxBatchRecords, maxBatchBytes, wait);
        if (batch == null) {
            maybeFlush(true);
            return false;
        }
        try {
            output.write(batch.records());
        } catch (IOException | RuntimeException e) {
            buffer.release(batch);
            errors.inc();
            if (failingSinceMillis == 0) {
                failingSinceMillis = clock.millis();
            }
            lastError = String.valueOf(e.getMessage());
            Duration pause = backoff.delay(++failures, ThreadLocalRandom.current());
            if (e instanceof FloorException) {
                // The space accountant warned once for the episode, naming the key and the figures,
                // and raises disk_floor; a WARN per retry would only repeat it.
                log.debug(
                        "output {}: {} records wait for space ({}), retrying in {} ms",
                        output.name(),
                        batch.size(),
                        e.getMessage(),
                        pause.toMillis());
            } else {
                log.warn(
                        "output {}: delivery failed ({}), retrying {} records in {} ms (attempt {})",
                        output.name(),
                        e.getMessage(),
                        batch.size(),
                        pause.toMillis(),
                        failures);
            }
            long until = System.nanoTime() + pause.toNanos();
            while (System.nanoTime() < until && (running || System.nanoTime() < drainDeadlineNanos)) {
                TimeUnit.MILLISECONDS.sleep(Math.min(50, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            }
            return false;
        }
        failures = 0;
        failingSinceMillis = 0;
        buffer.commit(batch);
        deliveredBatches++;
        long b = 0;
        for (LogRecord r : batch.records()) {
            b += r.messageLength();
        }
        writtenRecords.inc(batch.size());
        writtenBytes.inc(b);
        dirty = true;
        maybeFlush(false);
        return true;
    }

    private void maybeFlush(boolean idle) {
        long now = System.nanoTime();
        if (dirty && (idle || now - lastFlushNanos >= flushInterval.toNanos())) {
            try {
                output.flush();
                dirty = false;
                lastFlushNanos = now;
            } catch (IOException e) {
                errors.inc();
                log.warn("output {}: flush failed: {}", output.name(), e.getMessage());
            }
        }
    }
}
