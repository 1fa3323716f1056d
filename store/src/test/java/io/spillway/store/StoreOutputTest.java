package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.FakeClock;
import io.spillway.buffer.MemoryBuffer;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.OutputWorker;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreOutputTest {
    @TempDir
    Path dir;

    @Test
    void write_thenFlush_recordsReadableAndDurable() throws IOException {
        StoreOutput out =
                new StoreOutput("store", Stores.small(), dir, new Metrics(), FakeClock.ofEpochMilli(Stores.T0));
        assertThat(out.reader()).isNull();
        out.start();
        List<LogRecord> batch = Stores.records("web", 10, 0, 50);
        out.write(batch);
        out.flush();
        assertThat(Stores.all(out.store(), "web")).isEqualTo(batch);
        out.close();
        StoreOutput again =
                new StoreOutput("store", Stores.small(), dir, new Metrics(), FakeClock.ofEpochMilli(Stores.T0));
        again.start();
        assertThat(Stores.all(again.store(), "web")).isEqualTo(batch);
        again.close();
    }

    @Test
    void idle_pastChunkMaxAge_sealedByMaintenanceThread() throws Exception {
        FakeClock clock = FakeClock.ofEpochMilli(Stores.T0);
        StoreConfig c = Stores.withAges(Stores.small(), Duration.ofDays(1), Duration.ofMinutes(1));
        StoreOutput out = new StoreOutput("store", c, dir, new Metrics(), clock);
        out.start();
        out.write(Stores.records("web", 3, 0, 20));
        clock.advance(Duration.ofMinutes(2));
        // no further write or flush: the maintenance thread seals the idle app's chunk on its own
        for (int i = 0; i < 100 && LogStoreTest.appLog(out.store(), "web").active != null; i++) {
            Thread.sleep(100);
        }
        assertThat(LogStoreTest.appLog(out.store(), "web").active).isNull();
        assertThat(Stores.all(out.store(), "web")).hasSize(3);
        out.close();
    }

    @Test
    void write_belowFreeSpaceFloor_refusedAndCounted() throws IOException {
        StoreConfig d = Stores.small();
        StoreConfig c = new StoreConfig(
                true,
                "",
                d.maxAge(),
                d.maxTotal(),
                d.maxPerApp(),
                Map.of(),
                d.chunkSize(),
                d.chunkMaxAge(),
                3,
                io.spillway.space.SpaceFloor.ofBytes(Long.MAX_VALUE / 2),
                true,
                8,
                d.queryTimeout(),
                d.queryMaxScan(),
                10,
                4);
        StoreOutput out = new StoreOutput("store", c, dir, new Metrics(), FakeClock.ofEpochMilli(Stores.T0));
        out.start();
        assertThatThrownBy(() -> out.write(Stores.records("web", 1, 0, 10)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("min_free_space");
        out.close();
    }

    @Test
    void outputWorker_deliversBufferIntoStore() throws Exception {
        Metrics m = new Metrics();
        StoreOutput out = new StoreOutput("store", Stores.small(), dir, m, FakeClock.ofEpochMilli(Stores.T0));
        MemoryBuffer buffer = new MemoryBuffer(1 << 20, (app, reason, records, bytes) -> {});
        OutputWorker w = new OutputWorker(out, buffer, m, 100, 1 << 20);
        out.start();
        List<LogRecord> in = Stores.records("api", 25, 0, 30);
        in.forEach(buffer::offer);
        while (w.runOnce(Duration.ofMillis(10))) {
            // deliver all
        }
        w.runOnce(Duration.ofMillis(1)); // idle: flushes
        assertThat(Stores.all(out.store(), "api")).isEqualTo(in);
        assertThat(buffer.records()).isZero();
        out.close();
    }
}
