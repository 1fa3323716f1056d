package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.space.FloorException;
import io.spillway.space.SpaceAccountant;
import io.spillway.space.SpaceFloor;
import io.spillway.space.SpaceWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a chunk is rotated, and how the seal thread swaps its sealed file in, bounded and retried. */
class SealerTest {
    private static final long MiB = 1024 * 1024;
    private static final Sealer.Config CONFIG = new Sealer.Config(64 * 1024, 60_000, 1, 2);

    @TempDir
    Path dir;

    private final AtomicLong total = new AtomicLong();
    private final GrowableBuffer scratch = new GrowableBuffer(1024);
    private Sealer sealer = sealer(SpaceWriter.unaccounted("store", Path.of(".")));

    private Sealer sealer(SpaceWriter space) {
        return new Sealer(Path.of("store"), CONFIG, space, total, new StoreMetrics(new Metrics()));
    }

    @AfterEach
    void stop() {
        sealer.shutdown();
        sealer.awaitStopped();
    }

    /** An app whose active chunk holds {@code n} records, counted in {@link #total}. */
    private AppLog appWith(int n) throws IOException {
        AppLog a = new AppLog("web", dir);
        AppLogTest.append(a, scratch, n, Stores.T0);
        total.addAndGet(a.bytes());
        return a;
    }

    /** Rotates the app's active chunk, hands it over and waits for the seal thread; returns the chunk. */
    private ActiveChunk handOverAndWait(AppLog a) throws IOException {
        ActiveChunk c = a.rotate();
        sealer.handOver(a, c);
        sealer.awaitIdle();
        return c;
    }

    @Test
    void config_of_takesTheStoresSealingSettings() {
        StoreConfig c = Stores.withAges(
                Stores.config(DataSize.ofMiB(1), DataSize.ofMiB(64), DataSize.ofMiB(32), Map.of()),
                Duration.ofDays(1),
                Duration.ofMinutes(5));
        assertThat(Sealer.Config.of(c))
                .isEqualTo(new Sealer.Config(MiB, 300_000, c.compressionLevel(), Sealer.pendingSeals(c)));
        assertThat(Sealer.pendingSeals(c)).isEqualTo(8); // max_total / 8 over chunk_size
    }

    @Test
    void full_atChunkSize() {
        assertThat(sealer.full(64 * 1024 - 1)).isFalse();
        assertThat(sealer.full(64 * 1024)).isTrue();
    }

    @Test
    void due_whenTheFirstRecordIsChunkMaxAgeOld() throws IOException {
        AppLog a = appWith(1);
        assertThat(sealer.due(a, Stores.T0 + 59_999)).isFalse();
        assertThat(sealer.due(a, Stores.T0 + 60_000)).isTrue();
        a.rotate();
        assertThat(sealer.due(a, Stores.T0 + 60_000)).as("no active chunk").isFalse();
    }

    @Test
    void handOver_sealsOnTheSealThread_thenDeletesTheOpenFileAndCountsTheSealedBytes() throws IOException {
        AppLog a = appWith(100);
        ActiveChunk c = handOverAndWait(a);

        assertThat(a.sealing).isEmpty();
        assertThat(a.sealed).hasSize(1);
        SealedChunk s = a.sealed.get(0);
        assertThat(s.id).isEqualTo(c.id);
        assertThat(s.count).isEqualTo(100);
        assertThat(s.path).exists();
        assertThat(c.path).doesNotExist();
        assertThat(total.get()).isEqualTo(s.fileSize).isEqualTo(a.bytes());
        assertThat(sealer.busy()).isFalse();
    }

    @Test
    void handOver_remembersTheChunkForTheNextSync_untilForgotten() throws IOException {
        AppLog a = appWith(10);
        ActiveChunk c = handOverAndWait(a);

        assertThat(sealer.unforcedWaiting())
                .as("sealed: its sealed file was forced")
                .isEmpty();
        assertThat(sealer.unforced()).containsExactly(c.path);
        sealer.forgetUnforced();
        assertThat(sealer.unforcedCount()).isZero();
    }

    @Test
    void seal_refusedAtTheFloor_chunkWaitsReadable_retryFailedSealsItOnceThereIsRoom() throws IOException {
        LogStoreSpaceTest.Disk disk = new LogStoreSpaceTest.Disk(100 * MiB + 4096);
        sealer = sealer(SpaceAccountant.standalone(
                "store", dir, SpaceFloor.ofBytes(100 * MiB), StoreOutput.MIN_FREE_SPACE_KEY, disk));
        AppLog a = appWith(100);
        long bytes = a.bytes();
        ActiveChunk c = handOverAndWait(a);

        assertThat(a.sealed).isEmpty();
        assertThat(a.sealing).containsExactly(c);
        assertThat(c.path).exists();
        assertThat(a.bytes()).isEqualTo(bytes);
        assertThat(total.get()).isEqualTo(bytes);
        assertThat(sealer.unforcedWaiting()).containsExactly(c.path);

        disk.usable = 512 * MiB;
        sealer.retryFailed(a);
        sealer.awaitIdle();
        assertThat(a.sealing).isEmpty();
        assertThat(a.sealed).hasSize(1);
        assertThat(c.path).doesNotExist();

        sealer.retryFailed(a); // nothing failed any more: nothing queued
        assertThat(sealer.busy()).isFalse();
    }

    @Test
    void sealNow_sealsTheActiveChunkOnTheCallingThread() throws IOException {
        AppLog a = appWith(10);
        ActiveChunk c = a.active;
        sealer.sealNow(a);

        assertThat(a.hasActive()).isFalse();
        assertThat(a.sealed).extracting(s -> s.id).containsExactly(c.id);
        assertThat(c.path).doesNotExist();
        assertThat(sealer.unforcedCount()).as("not a rotation").isZero();
    }

    @Test
    void sealNow_atTheFloor_throwsAndTheChunkStaysActive() throws IOException {
        LogStoreSpaceTest.Disk disk = new LogStoreSpaceTest.Disk(100 * MiB);
        sealer = sealer(SpaceAccountant.standalone(
                "store", dir, SpaceFloor.ofBytes(100 * MiB), StoreOutput.MIN_FREE_SPACE_KEY, disk));
        AppLog a = appWith(10);
        ActiveChunk c = a.active;

        assertThatThrownBy(() -> sealer.sealNow(a)).isInstanceOf(FloorException.class);
        assertThat(a.active).isSameAs(c);
        assertThat(a.sealed).isEmpty();
    }

    @Test
    void tryRun_withEveryPermitTaken_refusesAtOnce() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Runnable blocked = () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        assertThat(sealer.tryRun(blocked)).isTrue();
        assertThat(sealer.tryRun(blocked)).isTrue();
        assertThat(sealer.tryRun(() -> {})).as("maxPending is 2").isFalse();
        assertThat(sealer.busy()).isTrue();

        release.countDown();
        sealer.awaitIdle();
        assertThat(sealer.busy()).isFalse();
    }

    @Test
    void handOver_afterShutdown_failsAsClosingAndGivesThePermitBack() throws IOException {
        AppLog a = appWith(10);
        ActiveChunk c = a.rotate();
        sealer.shutdown();

        assertThatThrownBy(() -> sealer.handOver(a, c))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("is closing");
        assertThat(sealer.busy()).isFalse();
        assertThat(sealer.tryRun(() -> {})).isFalse();
        assertThat(Files.exists(c.path))
                .as("the chunk stays, sealed at the next open")
                .isTrue();
    }
}
