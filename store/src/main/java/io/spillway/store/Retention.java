package io.spillway.store;

import io.spillway.config.DataSize;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the store keeps: whole sealed chunks are deleted, oldest first within an app, by three rules.
 *
 * <ul>
 *   <li>{@code max_age} ({@link #expire}, from the store's maintenance): a sealed chunk whose last
 *       record was stored more than {@code max_age} ago is deleted.
 *   <li>{@code max_per_app} or the app's {@code apps} override ({@link #capApp}, after each batch for
 *       the apps it touched, and in maintenance): an app over its cap loses its oldest chunk until
 *       it is under it or has no sealed chunk left.
 *   <li>{@code max_total} ({@link #capTotal}, after each batch and in maintenance): while the store is
 *       over it, the app holding the most bytes loses its oldest chunk; if that app has no sealed
 *       chunk, its active chunk is rotated (which compresses it) and the caps are looked at again
 *       after the next batch. So a flooding app evicts its own history first, and a quiet app's
 *       recent history survives as long as some app holds more.
 * </ul>
 *
 * <p><b>Invariants.</b> Only sealed chunks are deleted, never an active or a waiting one, and only an
 * app's oldest; each deletion is counted in {@code spillway_store_evicted_bytes_total} with its rule
 * as the reason, in the app's evicted bytes, and subtracted from the store's accounted bytes ({@code
 * total}). After {@link #capApp} the app is within its cap or holds no sealed chunk (its active chunk
 * is smaller than any cap: {@code chunk_size × 2 ≤} every cap). After {@link #capTotal} the store is
 * within {@code max_total}, or its heaviest app holds no sealed chunk.
 *
 * <p><b>Locking.</b> Called only by the store's writer, with the store's write lock held: that lock
 * serialises retention with appends and rotations. The app's monitor is taken only inside {@link
 * AppLog}'s operations, to take a chunk out of the list; its file is deleted outside the monitor.
 */
final class Retention {
    /** The store's logger: operators' log settings for the store keep covering its evictions. */
    private static final Logger log = LoggerFactory.getLogger(LogStore.class);

    /**
     * The store's settings retention uses.
     *
     * @param maxAgeMillis {@code max_age}
     * @param maxTotal {@code max_total}, in bytes
     * @param appCap an app's byte cap: its {@code apps} override, else {@code max_per_app}
     */
    record Config(long maxAgeMillis, long maxTotal, ToLongFunction<String> appCap) {
        static Config of(StoreConfig c) {
            return new Config(c.maxAge().toMillis(), c.maxTotal().bytes(), c::maxBytesFor);
        }
    }

    /** What {@link #capTotal} asks of the writer when the heaviest app has only unsealed bytes. */
    interface Rotation {
        /** Rotates the app's active chunk out of writing, to be sealed (compressed). */
        void rotate(AppLog a) throws IOException;
    }

    private final Config config;
    private final AtomicLong total;
    private final StoreMetrics metrics;

    /** @param total the store's accounted bytes, lowered by each deletion */
    Retention(Config config, AtomicLong total, StoreMetrics metrics) {
        this.config = config;
        this.total = total;
        this.metrics = metrics;
    }

    /** Deletes the app's sealed chunks whose last record is older than {@code max_age}. */
    void expire(AppLog a, long nowMillis) throws IOException {
        while (a.oldestSealedIdleLongerThan(nowMillis, config.maxAgeMillis())) {
            evictOldest(a, "max_age");
        }
    }

    /** Deletes the app's oldest sealed chunks while it holds more than its cap. */
    void capApp(AppLog a) throws IOException {
        long cap = config.appCap().applyAsLong(a.name);
        while (a.bytes() > cap) {
            if (a.hasSealed()) {
                evictOldest(a, "max_per_app");
            } else {
                break; // only the active chunk, which is smaller than any cap (chunk_size * 2 <= cap)
            }
        }
    }

    /**
     * While the store holds more than {@code max_total}, takes from the heaviest of {@code apps}; if
     * that one has only unsealed bytes, has the writer rotate its active chunk through {@code
     * rotation} and stops.
     */
    void capTotal(Iterable<AppLog> apps, Rotation rotation) throws IOException {
        long max = config.maxTotal();
        while (total.get() > max) {
            AppLog heaviest = null;
            long most = 0;
            for (AppLog a : apps) {
                long b = a.bytes();
                if (b > most) {
                    most = b;
                    heaviest = a;
                }
            }
            if (heaviest == null) {
                return;
            }
            if (heaviest.hasSealed()) {
                evictOldest(heaviest, "max_total");
            } else {
                if (heaviest.hasActiveRecords()) {
                    // Compressing it frees most of its bytes; retention looks again after the next batch.
                    rotation.rotate(heaviest);
                }
                return;
            }
        }
    }

    private void evictOldest(AppLog a, String reason) throws IOException {
        SealedChunk s = a.dropOldest();
        if (s == null) {
            return;
        }
        Files.deleteIfExists(s.path);
        total.addAndGet(-s.fileSize);
        metrics.evicted(a.name, reason, s.fileSize);
        log.debug(
                "store: app {}: evicted chunk {} ({} records, {}) by {}",
                a.name,
                SealedChunk.name(s.id),
                s.count,
                DataSize.human(s.fileSize),
                reason);
    }
}
