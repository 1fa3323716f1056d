package io.spillway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.buffer.MemoryBuffer;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class PipelineTest {
    static final class NullOutput implements Output {
        @Override
        public String name() {
            return "null";
        }

        @Override
        public void write(List<LogRecord> batch) throws IOException {}

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    @Test
    void observe_seesRecordsTheStagesLetThrough_notDroppedOnesNorOwnRecords() {
        Metrics metrics = new Metrics();
        Stage dropNoisy = new Stage() {
            @Override
            public String name() {
                return "drop_noisy";
            }

            @Override
            public @Nullable LogRecord apply(LogRecord r) {
                return r.app().equals("noisy") ? null : r;
            }
        };
        OutputWorker w =
                new OutputWorker(new NullOutput(), new MemoryBuffer(1 << 20, (a, r, n, b) -> {}), metrics, 10, 1 << 20);
        Pipeline p = new Pipeline(List.of(), List.of(dropNoisy), List.of(w), metrics);
        List<String> seen = new ArrayList<>();
        p.observe(r -> seen.add(r.messageText()));
        p.accept(LogRecord.of(1, "h", "web", "kept"));
        p.accept(LogRecord.of(2, "h", "noisy", "dropped"));
        p.toBuffers(LogRecord.of(3, "h", "_spillway", "marker"));
        p.acceptDurable(
                List.of(LogRecord.of(4, "h", "web", "durable"), LogRecord.of(5, "h", "noisy", "x")), receipt -> {});
        assertThat(seen).containsExactly("kept", "durable");
    }
}
