package io.spillway.input.syslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.spillway.admission.Admission;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import io.spillway.input.netty.TcpListener;
import io.spillway.input.netty.UdpListener;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.InputMetrics;
import io.spillway.record.LogRecord;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A started {@link SyslogInput} on loopback port 0, with the records it delivered and its counters. */
final class LoopbackServer implements AutoCloseable {
    static {
        // A frame or datagram the server forgets to release is reported in the test output.
        io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.PARANOID);
    }

    static final Duration WAIT = Duration.ofSeconds(20);

    final Metrics metrics = new Metrics();
    final LinkedBlockingQueue<LogRecord> records = new LinkedBlockingQueue<>();
    final SyslogInput input;

    LoopbackServer(SyslogConfig config, InstantSource clock) throws Exception {
        input = new SyslogInput(config, new InputMetrics(metrics, "syslog"), clock);
        input.start(r -> {
            records.add(r);
            return Admission.ACCEPTED;
        });
    }

    static SyslogConfig config(int maxConnections, Duration idleTimeout, DataSize maxFrame, String host) {
        ListenAddress any = ListenAddress.loopback(0);
        return new SyslogConfig(
                true,
                new TcpListener(true, any, maxConnections, idleTimeout, 1000),
                new UdpListener(true, any, DataSize.ofMiB(1)),
                maxFrame,
                host);
    }

    static SyslogConfig config() {
        return config(16, Duration.ofMinutes(5), DataSize.ofKiB(64), "");
    }

    LogRecord next() throws InterruptedException {
        LogRecord r = records.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(r).as("a record within " + WAIT).isNotNull();
        return r;
    }

    List<LogRecord> next(int n) throws InterruptedException {
        List<LogRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(next());
        }
        return out;
    }

    /** The value of an input counter ({@code kind} selects an error kind; null for unlabelled ones). */
    double counter(String name, @org.jspecify.annotations.Nullable String kind) {
        for (MetricSnapshot s : metrics.registry().scrape()) {
            if (!s.getMetadata().getName().equals(name)) {
                continue;
            }
            for (DataPointSnapshot dp : s.getDataPoints()) {
                if (kind == null || kind.equals(dp.getLabels().get("kind"))) {
                    return ((CounterSnapshot.CounterDataPointSnapshot) dp).getValue();
                }
            }
        }
        return 0;
    }

    double errors(String kind) {
        return counter("spillway_input_errors", kind);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Override
    public void close() {
        input.stop();
    }
}
