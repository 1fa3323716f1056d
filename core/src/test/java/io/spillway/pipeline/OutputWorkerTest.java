package io.spillway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.buffer.MemoryBuffer;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputWorkerTest {
    /** An output that fails its first {@code failures} writes, then records what it got. */
    static final class FlakyOutput implements Output {
        final List<String> written = new ArrayList<>();
        int failures;
        int flushes;

        FlakyOutput(int failures) {
            this.failures = failures;
        }

        @Override
        public String name() {
            return "flaky";
        }

        @Override
        public void write(List<LogRecord> batch) throws IOException {
            if (failures > 0) {
                failures--;
                throw new IOException("destination down");
            }
            batch.forEach(r -> written.add(r.messageText()));
        }

        @Override
        public void flush() {
            flushes++;
        }
    }

    private final Metrics metrics = new Metrics();
    private final MemoryBuffer buffer = new MemoryBuffer(1 << 20, (a, r, n, b) -> {});

    @Test
    void runOnce_outputFails_retriesSameRecordsInOrder() throws Exception {
        FlakyOutput out = new FlakyOutput(2);
        OutputWorker worker = new OutputWorker(out, buffer, metrics, 2, 1 << 20, Duration.ZERO);
        for (String m : List.of("a", "b", "c")) {
            buffer.offer(LogRecord.of(1, "h", "app", m));
        }
        worker.runOnce(Duration.ZERO);
        worker.runOnce(Duration.ZERO);
        assertThat(out.written).isEmpty();
        assertThat(buffer.records()).isEqualTo(3);
        while (worker.runOnce(Duration.ZERO)) {}
        assertThat(out.written).containsExactly("a", "b", "c");
        assertThat(buffer.records()).isZero();
        assertThat(metrics.registry().scrape().stream()
                        .filter(s -> s.getMetadata().getName().equals("spillway_output_errors"))
                        .findFirst()
                        .orElseThrow()
                        .getDataPoints()
                        .get(0))
                .extracting(dp -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) dp)
                        .getValue())
                .isEqualTo(2.0);
    }

    @Test
    void runOnce_idleAfterWrites_flushes() throws Exception {
        FlakyOutput out = new FlakyOutput(0);
        OutputWorker worker = new OutputWorker(out, buffer, metrics, 10, 1 << 20, Duration.ofHours(1));
        buffer.offer(LogRecord.of(1, "h", "app", "x"));
        worker.runOnce(Duration.ZERO);
        assertThat(out.flushes).isZero();
        worker.runOnce(Duration.ZERO);
        assertThat(out.flushes).isEqualTo(1);
    }

    @Test
    void stop_drainsBufferBeforeClosing() throws Exception {
        FlakyOutput out = new FlakyOutput(0);
        OutputWorker worker = new OutputWorker(out, buffer, metrics, 10, 1 << 20);
        for (int i = 0; i < 1000; i++) {
            buffer.offer(LogRecord.of(1, "h", "app", "m" + i));
        }
        worker.start();
        worker.stop(Duration.ofSeconds(30));
        assertThat(out.written).hasSize(1000);
    }

    @Test
    void deliveredBatches_countsOnlyCommittedBatches() throws Exception {
        FlakyOutput out = new FlakyOutput(1);
        OutputWorker worker = new OutputWorker(out, buffer, metrics, 1, 1 << 20, Duration.ZERO);
        buffer.offer(LogRecord.of(1, "h", "app", "a"));
        buffer.offer(LogRecord.of(2, "h", "app", "b"));
        worker.runOnce(Duration.ZERO);
        assertThat(worker.deliveredBatches()).isZero();
        while (worker.runOnce(Duration.ZERO)) {}
        assertThat(worker.deliveredBatches()).isEqualTo(2);
        assertThat(worker.isAlive()).isFalse();
    }
}
