package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention deletes an app's oldest sealed chunks by age and by bytes, the heaviest app's first. */
class RetentionTest {
    private static final long MAX_AGE = 60_000;

    @TempDir
    Path dir;

    private final AtomicLong total = new AtomicLong();
    private final Metrics metrics = new Metrics();
    private final GrowableBuffer scratch = new GrowableBuffer(1024);
    private final List<AppLog> rotated = new ArrayList<>();

    private Retention retention(long maxTotal, long appCap) {
        return new Retention(new Retention.Config(MAX_AGE, maxTotal, app -> appCap), total, new StoreMetrics(metrics));
    }

    private void rotate(AppLog a) {
        rotated.add(a);
    }

    /** An app with one sealed chunk of {@code n} records per entry of {@code written}, written then. */
    private AppLog app(String name, int n, long... written) throws IOException {
        Path appDir = Files.createDirectories(dir.resolve(name));
        AppLog a = new AppLog(name, appDir);
        for (long at : written) {
            AppLogTest.append(a, scratch, n, at);
            AppLogTest.rotateAndSeal(a);
        }
        total.addAndGet(a.bytes());
        return a;
    }

    private double evictedChunks(String reason) {
        for (MetricSnapshot s : metrics.registry().scrape()) {
            if (s.getMetadata().getName().equals("spillway_store_evicted_chunks")) {
                for (DataPointSnapshot d : s.getDataPoints()) {
                    if (reason.equals(d.getLabels().get("reason"))) {
                        return ((CounterSnapshot.CounterDataPointSnapshot) d).getValue();
                    }
                }
            }
        }
        return 0;
    }

    @Test
    void config_of_takesTheStoresRetentionSettings() {
        StoreConfig c = Stores.withAges(
                Stores.config(
                        DataSize.ofMiB(1), DataSize.ofMiB(64), DataSize.ofMiB(32), Map.of("db*", DataSize.ofMiB(2))),
                Duration.ofHours(2),
                Duration.ofMinutes(5));
        Retention.Config r = Retention.Config.of(c);
        assertThat(r.maxAgeMillis()).isEqualTo(7_200_000);
        assertThat(r.maxTotal()).isEqualTo(64L << 20);
        assertThat(r.appCap().applyAsLong("db-main")).isEqualTo(2L << 20);
        assertThat(r.appCap().applyAsLong("web")).isEqualTo(32L << 20);
    }

    @Test
    void expire_deletesSealedChunksOlderThanMaxAge_oldestFirst() throws IOException {
        AppLog a = app("web", 10, Stores.T0, Stores.T0 + 10_000);
        SealedChunk older = a.sealed.get(0);
        SealedChunk newer = a.sealed.get(1);
        Retention r = retention(Long.MAX_VALUE, Long.MAX_VALUE);

        r.expire(a, Stores.T0 + MAX_AGE);
        assertThat(a.sealed).as("exactly max_age old is kept").hasSize(2);

        r.expire(a, Stores.T0 + MAX_AGE + 1);
        assertThat(a.sealed).containsExactly(newer);
        assertThat(older.path).doesNotExist();
        assertThat(total.get()).isEqualTo(newer.fileSize).isEqualTo(a.bytes());
        assertThat(a.summary(Stores.T0).evictedBytes()).isEqualTo(older.fileSize);
        assertThat(evictedChunks("max_age")).isEqualTo(1);
    }

    @Test
    void expire_neverTouchesTheActiveChunk() throws IOException {
        AppLog a = app("web", 10);
        AppLogTest.append(a, scratch, 10, Stores.T0);
        retention(Long.MAX_VALUE, Long.MAX_VALUE).expire(a, Stores.T0 + 10 * MAX_AGE);
        assertThat(a.hasActiveRecords()).isTrue();
    }

    @Test
    void capApp_overItsCap_losesOldestChunksUntilWithin() throws IOException {
        AppLog a = app("web", 200, Stores.T0, Stores.T0 + 1, Stores.T0 + 2);
        SealedChunk newest = a.sealed.get(2);
        long cap = newest.fileSize + a.sealed.get(1).fileSize - 1;

        retention(Long.MAX_VALUE, cap).capApp(a);
        assertThat(a.sealed).containsExactly(newest);
        assertThat(a.bytes()).isLessThanOrEqualTo(cap);
        assertThat(evictedChunks("max_per_app")).isEqualTo(2);
    }

    @Test
    void capApp_onlyAnActiveChunkOverTheCap_isLeftAlone() throws IOException {
        AppLog a = app("web", 0);
        AppLogTest.append(a, scratch, 100, Stores.T0);

        retention(Long.MAX_VALUE, 1).capApp(a);
        assertThat(a.hasActiveRecords()).isTrue();
        assertThat(evictedChunks("max_per_app")).isZero();
    }

    @Test
    void capTotal_overMaxTotal_takesFromTheHeaviestAppOnly() throws IOException {
        AppLog noisy = app("noisy", 400, Stores.T0, Stores.T0 + 1, Stores.T0 + 2);
        AppLog quiet = app("quiet", 50, Stores.T0);
        long quietBytes = quiet.bytes();
        long max = total.get() - 1;

        retention(max, Long.MAX_VALUE).capTotal(List.of(quiet, noisy), this::rotate);
        assertThat(total.get()).isLessThanOrEqualTo(max);
        assertThat(noisy.sealed).hasSize(2);
        assertThat(quiet.bytes()).isEqualTo(quietBytes);
        assertThat(quiet.summary(Stores.T0).evictedBytes()).isZero();
        assertThat(evictedChunks("max_total")).isEqualTo(1);
        assertThat(rotated).isEmpty();
    }

    @Test
    void capTotal_heaviestHasNothingSealed_rotatesItsActiveChunkOnceAndStops() throws IOException {
        AppLog quiet = app("quiet", 10, Stores.T0);
        AppLog noisy = app("noisy", 0);
        AppLogTest.append(noisy, scratch, 500, Stores.T0);
        total.addAndGet(noisy.bytes());

        retention(1, Long.MAX_VALUE).capTotal(List.of(quiet, noisy), this::rotate);
        assertThat(rotated).containsExactly(noisy);
        assertThat(quiet.sealed).as("the quiet app keeps its history").hasSize(1);
        assertThat(evictedChunks("max_total")).isZero();
    }

    @Test
    void capTotal_withinMaxTotal_deletesNothing() throws IOException {
        AppLog a = app("web", 10, Stores.T0, Stores.T0 + 1);
        retention(total.get(), Long.MAX_VALUE).capTotal(List.of(a), this::rotate);
        assertThat(a.sealed).hasSize(2);
        assertThat(rotated).isEmpty();
    }
}
