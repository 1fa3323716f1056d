package io.spillway.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.spillway.FakeClock;
import io.spillway.config.ConfigException;
import io.spillway.event.Event;
import io.spillway.metrics.Metrics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SpaceAccountantTest {
    private static final long MiB = 1024 * 1024;

    /** A filesystem whose figures the test sets; block size 1, so charges are the bytes plus 1. */
    static final class FakeFs implements DiskSpace {
        volatile long usable;
        final long total;
        final long block;
        volatile boolean broken;
        final AtomicLong statvfs = new AtomicLong();

        FakeFs(long usable, long total, long block) {
            this.usable = usable;
            this.total = total;
            this.block = block;
        }

        @Override
        public long usableBytes() throws IOException {
            statvfs.incrementAndGet();
            if (broken) {
                throw new IOException("statvfs failed");
            }
            return usable;
        }

        @Override
        public long totalBytes() {
            return total;
        }

        @Override
        public long blockBytes() {
            return block;
        }
    }

    private final FakeClock clock = FakeClock.ofEpochMilli(1_000_000);
    private final Metrics metrics = new Metrics();
    private final Path dir = Path.of("/data/buffer/file");

    private SpaceAccountant accountant(DiskSpace fs, Duration interval) {
        SpaceConfig c = new SpaceConfig(interval, SpaceFloor.DEFAULT, Duration.ofMinutes(1));
        return new SpaceAccountant(c, d -> fs, metrics, clock);
    }

    private double refused(String kind, String reason) {
        var snapshot = metrics.counter("spillway_space_refused_writes", "", "kind", "reason")
                .collect()
                .getDataPoints();
        return snapshot.stream()
                .filter(p -> p.getLabels().get("kind").equals(kind)
                        && p.getLabels().get("reason").equals(reason))
                .mapToDouble(p -> p.getValue())
                .sum();
    }

    @Test
    void reserve_withinRoom_grantedAndSubtractedUntilNextMeasurement() {
        FakeFs fs = new FakeFs(1000, 10_000, 1);
        SpaceAccountant a = accountant(fs, Duration.ofSeconds(1));
        SpaceWriter w = a.register("buffer", "file", dir, SpaceFloor.ofBytes(100), "buffer.floor", false);

        Reservation r = w.reserve(499); // charged 499 + 1 block
        assertThat(r.granted()).isTrue();
        assertThat(r.charged()).isEqualTo(500);
        assertThat(w.room()).isEqualTo(1000 - 500 - 100 - 2);

        r.written(499); // written: still counted, statvfs has not been asked again
        assertThat(w.room()).isEqualTo(1000 - 500 - 100 - 2);

        // The write lands on the disk; the next measurement sees it and the claim is dropped: no double count.
        fs.usable = 1000 - 500;
        clock.advance(Duration.ofSeconds(1));
        assertThat(w.room()).isEqualTo(500 - 100 - 2);
    }

    @Test
    void reserve_pastTheFloorByOneByte_refusedCountedAndNamesKeyAndFigures() {
        FakeFs fs = new FakeFs(1000, 10_000, 1);
        SpaceAccountant a = accountant(fs, Duration.ofSeconds(1));
        SpaceWriter w = a.register("file", "file", dir, SpaceFloor.ofBytes(100), "outputs.file.min_free_space", false);

        assertThat(w.reserve(899).granted()).as("exactly down to the floor").isTrue();
        Reservation r = w.reserve(0 + 1); // one more byte (charged 2) crosses it
        assertThat(r.granted()).isFalse();
        assertThat(r.charged()).isZero();
        assertThat(r.refusal())
                .contains("outputs.file.min_free_space")
                .contains("100 B")
                .contains("1.0 kB free")
                .contains(dir.toString());
        assertThat(refused("file", "floor")).isEqualTo(1.0);
        assertThat(w.refusedWrites()).isEqualTo(1);
    }

    @Test
    void reserve_blocks_chargedWholeBlocksPlusOne() {
        FakeFs fs = new FakeFs(100 * 4096, 1000 * 4096, 4096);
        SpaceAccountant a = accountant(fs, Duration.ofSeconds(1));
        SpaceWriter w = a.register("store", "store", dir, SpaceFloor.ofBytes(0), "outputs.store.min_free_space", false);
        assertThat(w.reserve(1).charged()).isEqualTo(2 * 4096);
        assertThat(w.reserve(4096).charged()).isEqualTo(2 * 4096);
        assertThat(w.reserve(4097).charged()).isEqualTo(3 * 4096);
        assertThat(w.reserve(0).charged()).isZero();
    }

    @Test
    void cancel_returnsTheClaim() {
        FakeFs fs = new FakeFs(1000, 10_000, 1);
        SpaceAccountant a = accountant(fs, Duration.ofSeconds(1));
        SpaceWriter w = a.register("buffer", "file", dir, SpaceFloor.ofBytes(100), "buffer.floor", false);
        long before = w.room();
        Reservation r = w.reserve(500);
        r.cancel();
        r.cancel(); // settling twice changes nothing
        assertThat(w.room()).isEqualTo(before);
    }

    @Test
    void writersOnOneFilesystem_shareTheLedger_eachAgainstItsOwnFloor() {
        FakeFs fs = new FakeFs(1000, 10_000, 1);
        SpaceAccountant a = accountant(fs, Duration.ofSeconds(1));
        SpaceWriter buffer = a.register("buffer", "file", dir, SpaceFloor.ofBytes(400), "buffer.floor", false);
        SpaceWriter incidents =
                a.register("incidents", "incidents", dir, SpaceFloor.ofBytes(100), "alert.min_free_space", true);

        assertThat(buffer.reserve(599).granted()).isTrue(); // down to 400 free
        assertThat(buffer.reserve(1).granted())
                .as("the buffer stops at its floor")
                .isFalse();
        assertThat(incidents.reserve(299).granted())
                .as("the incident store still has its headroom")
                .isTrue();
        assertThat(incidents.reserve(1).granted()).isFalse();
    }

    @Test
    void measure_atMostOncePerInterval_withAFakeClock() {
        FakeFs fs = new FakeFs(100 * MiB, 1000 * MiB, 4096);
        SpaceAccountant a = accountant(fs, Duration.ofMillis(250));
        SpaceWriter w = a.register("buffer", "file", dir, SpaceFloor.ofBytes(MiB), "buffer.floor", false);
        long atStart = fs.statvfs.get(); // registering measured once
        for (int i = 0; i < 10_000; i++) {
            w.reserve(1000).written(1000);
        }
        assertThat(fs.statvfs.get() - atStart)
                .as("no statvfs for 10000 writes within the interval")
                .isZero();

        clock.advance(Duration.ofMillis(249));
        w.reserve(1).cancel();
        assertThat(fs.statvfs.get() - atStart).isZero();
        clock.advance(Duration.ofMillis(1));
        for (int i = 0; i < 1000; i++) {
            w.reserve(1).cancel();
        }
        assertThat(fs.statvfs.get() - atStart).isEqualTo(1);
        assertThat(SpaceAccountant.measurements(w)).isEqualTo(fs.statvfs.get());
    }

    @Test
    void measure_freedSpace_seenAtTheNextMeasurement() {
        FakeFs fs = new FakeFs(200, 10_000, 1);
        SpaceAccountant a = accountant(fs, Duration.ofSeconds(1));
        SpaceWriter w = a.register("file", "file", dir, SpaceFloor.ofBytes(100), "outputs.file.min_free_space", false);
        assertThat(w.reserve(500).granted()).isFalse();
        fs.usable = 10_000; // a file was deleted
        assertThat(w.reserve(500).granted()).as("not measured yet").isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(w.reserve(500).granted()).isTrue();
    }

    @Test
    void reserve_unmeasurableFilesystem_refusedWithItsOwnReason() {
        FakeFs fs = new FakeFs(1000, 10_000, 1);
        fs.broken = true;
        SpaceAccountant a = accountant(fs, Duration.ofSeconds(1));
        SpaceWriter w =
                a.register("store", "store", dir, SpaceFloor.ofBytes(10), "outputs.store.min_free_space", false);
        Reservation r = w.reserve(10);
        assertThat(r.granted()).isFalse();
        assertThat(r.refusal()).contains("cannot be measured").contains("statvfs failed");
        assertThat(refused("store", "unmeasurable")).isEqualTo(1.0);
        long calls = fs.statvfs.get();
        assertThat(w.reserve(10).granted()).isFalse();
        assertThat(fs.statvfs.get())
                .as("a failure is retried at the same bounded rate")
                .isEqualTo(calls);
        fs.broken = false;
        clock.advance(Duration.ofSeconds(1));
        assertThat(w.reserve(10).granted()).isTrue();
    }

    @Test
    void reserve_floorOff_neverRefusedButClaimsCountForOthers() {
        FakeFs fs = new FakeFs(1000, 10_000, 1);
        SpaceAccountant a = accountant(fs, Duration.ofSeconds(1));
        SpaceWriter off = a.register("file", "file", dir, SpaceFloor.ofBytes(0), "outputs.file.min_free_space", false);
        SpaceWriter other = a.register("buffer", "file", dir, SpaceFloor.ofBytes(100), "buffer.floor", false);
        assertThat(off.reserve(5000).granted()).isTrue();
        assertThat(other.reserve(1).granted()).isFalse();
    }

    @Test
    void reserve_concurrentWriters_neverOvershootTheFloor() throws Exception {
        long floor = 10 * MiB;
        FakeFs fs = new FakeFs(64 * MiB, 64 * MiB, 4096);
        SpaceAccountant a = accountant(fs, Duration.ofSeconds(10));
        List<SpaceWriter> ws = List.of(
                a.register("buffer", "file", dir, SpaceFloor.ofBytes(floor), "buffer.floor", false),
                a.register("buffer", "store", dir, SpaceFloor.ofBytes(floor), "buffer.floor", false),
                a.register("file", "file", dir, SpaceFloor.ofBytes(floor), "outputs.file.min_free_space", false),
                a.register("store", "store", dir, SpaceFloor.ofBytes(floor), "outputs.store.min_free_space", false));
        int threads = 8;
        AtomicLong granted = new AtomicLong();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            SpaceWriter w = ws.get(t % ws.size());
            int seed = t;
            all.add(Thread.ofPlatform().start(() -> {
                java.util.Random rnd = new java.util.Random(seed);
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 20_000; i++) {
                    int size = 1 + rnd.nextInt(128 * 1024);
                    Reservation r = w.reserve(size);
                    if (r.granted()) {
                        granted.addAndGet(r.charged());
                        if (rnd.nextBoolean()) {
                            r.written(size);
                        } else {
                            r.cancel();
                            granted.addAndGet(-r.charged());
                        }
                    }
                }
            }));
        }
        go.countDown();
        for (Thread t : all) {
            t.join();
        }
        assertThat(granted.get()).isLessThanOrEqualTo(64 * MiB - floor);
        assertThat(granted.get()).as("the room was used").isGreaterThan(64 * MiB - floor - 2 * 128 * 1024 - 8192);
        assertThat(ws.get(0).room()).isLessThan(128 * 1024 + 8192);
    }

    @Test
    void reserve_anySequence_grantsExactlyWhatStaysAboveTheFloor() {
        qt().forAll(
                        lists().of(integers().between(0, 5000)).ofSizeBetween(0, 60),
                        integers().between(1, 20_000))
                .checkAssert((sizes, floor) -> {
                    FakeFs fs = new FakeFs(20_000, 40_000, 1);
                    SpaceAccountant a = new SpaceAccountant(
                            new SpaceConfig(Duration.ofSeconds(10), SpaceFloor.DEFAULT, Duration.ofMinutes(1)),
                            d -> fs,
                            new Metrics(),
                            clock);
                    SpaceWriter w = a.register("buffer", "file", dir, SpaceFloor.ofBytes(floor), "buffer.floor", false);
                    long model = 20_000;
                    for (int size : sizes) {
                        long charge = size == 0 ? 0 : size + 1;
                        boolean fits = model - charge >= floor;
                        Reservation r = w.reserve(size);
                        assertThat(r.granted()).isEqualTo(fits);
                        if (fits) {
                            model -= charge;
                            r.written(size);
                        }
                        assertThat(model).isGreaterThanOrEqualTo(Math.min(floor, 20_000));
                    }
                });
    }

    @Test
    void problems_floorLargerThanTheFilesystem_namesTheKey() {
        FakeFs fs = new FakeFs(60 * MiB, 64 * MiB, 4096);
        SpaceAccountant a = accountant(fs, Duration.ofSeconds(1));
        a.register("file", "file", dir, SpaceFloor.ofBytes(256 * MiB), "outputs.file.min_free_space", false);
        a.register("buffer", "file", dir, SpaceFloor.DEFAULT, "buffer.floor", false);
        assertThat(a.problems())
                .singleElement()
                .asString()
                .startsWith("outputs.file.min_free_space: ")
                .contains("256MiB")
                .contains("67.1 MB in all");
        assertThatThrownBy(a::check).isInstanceOf(ConfigException.class).hasMessageContaining("min_free_space");
    }

    @Test
    void problems_incidentFloorNotBelowTheOthers_namesBothKeys() {
        FakeFs fs = new FakeFs(60 * MiB, 64 * MiB, 4096);
        SpaceAccountant a = accountant(fs, Duration.ofSeconds(1));
        a.register("buffer", "file", dir, SpaceFloor.ofBytes(2 * MiB), "buffer.floor", false);
        a.register("file", "file", dir, SpaceFloor.ofBytes(0), "outputs.file.min_free_space", false);
        a.register("incidents", "incidents", dir, SpaceFloor.ofBytes(2 * MiB), "alert.min_free_space", true);
        assertThat(a.problems())
                .singleElement()
                .asString()
                .startsWith("alert.min_free_space: ")
                .contains("buffer.floor")
                .doesNotContain("outputs.file.min_free_space");
    }

    @Test
    void problems_defaultFloors_fitASmallDisk() {
        FakeFs fs = new FakeFs(60 * MiB, 64 * MiB, 4096);
        SpaceAccountant a = accountant(fs, Duration.ofSeconds(1));
        a.register("buffer", "file", dir, SpaceFloor.DEFAULT, "buffer.floor", false);
        a.register("store", "store", dir, SpaceFloor.DEFAULT, "outputs.store.min_free_space", false);
        a.register("incidents", "incidents", dir, SpaceFloor.parse("min(2%, 128MiB)"), "alert.min_free_space", true);
        assertThat(a.problems()).isEmpty();
    }

    @Test
    void tick_refusals_oneFiringEventPerEpisode_clearedAfterQuiet() {
        FakeFs fs = new FakeFs(1000, 10_000, 1);
        SpaceAccountant a = accountant(fs, Duration.ofSeconds(1));
        SpaceWriter w = a.register("buffer", "file", dir, SpaceFloor.ofBytes(900), "buffer.floor", false);
        List<Event> events = new ArrayList<>();
        a.tick(events::add, "h");
        assertThat(events).isEmpty();

        for (int i = 0; i < 1000; i++) {
            assertThat(w.reserve(500).granted()).isFalse();
        }
        a.tick(events::add, "h");
        a.tick(events::add, "h");
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.kind()).isEqualTo("disk_floor");
            assertThat(e.state()).isEqualTo(Event.State.FIRING);
            assertThat(e.key()).isEqualTo("disk_floor/h/buffer/file");
            assertThat(e.summary()).contains("buffer.floor");
            assertThat(e.details()).containsEntry("floor_key", "buffer.floor");
        });

        clock.advance(Duration.ofSeconds(59));
        w.reserve(500);
        clock.advance(Duration.ofSeconds(59));
        a.tick(events::add, "h");
        assertThat(events).hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        a.tick(events::add, "h");
        assertThat(events).hasSize(2);
        assertThat(events.get(1).state()).isEqualTo(Event.State.CLEARED);
        assertThat(events.get(1).details()).containsEntry("refused_writes", "1001");

        w.reserve(500);
        a.tick(events::add, "h");
        assertThat(events).as("a new episode fires again").hasSize(3);
    }
}
