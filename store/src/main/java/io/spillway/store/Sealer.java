package io.spillway.store;

import io.spillway.config.DataSize;
import io.spillway.space.FloorException;
import io.spillway.space.Reservation;
import io.spillway.space.SpaceWriter;
import io.spillway.thread.NamedThreadFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When and how an app's active chunk becomes a sealed one.
 *
 * <p><b>When.</b> The store's writer rotates an active chunk out of writing once it holds {@code
 * chunk_size} bytes ({@link #full}) or its first record is {@code chunk_max_age} old ({@link #due}),
 * and when retention needs an app's bytes compressed; it then {@link #handOver hands it over} here.
 * At open, an app's older {@code .open} chunks are sealed at once ({@link #sealNow}).
 *
 * <p><b>How.</b> A handed-over chunk is closed without a force (an fsync of a whole chunk would stall
 * the writer, and the sealed file is forced anyway) and queued for the single seal thread {@code
 * store-seal}, so compression does not hold up appends. The seal thread reads the chunk's frames,
 * reserves a bound on the sealed file's size through the store's {@link SpaceWriter} (G4), writes
 * {@code <id>.zst} ({@link SealedChunk#write}: {@code .tmp}, forced, renamed, directory forced), swaps
 * it in for the chunk under the app's monitor, and only then deletes the {@code .open} file. A failed
 * seal is logged, the chunk flagged ({@link AppLog#sealFailed}), and {@link #retryFailed} (from the
 * store's maintenance) queues it again. The seal thread also runs the store's repairs of damaged
 * sealed chunks ({@link #tryRun}).
 *
 * <p><b>Invariants.</b>
 *
 * <ul>
 *   <li>At every instant each record is in a complete file: the {@code .open} file is deleted only
 *       after the sealed file is durable and swapped in. A waiting chunk stays readable and counted.
 *   <li>At most {@link #maxPending} tasks (seals and repairs) are queued or running: each holds a
 *       permit from before it is queued until it ends. A seal waits for its permit (so unsealed bytes
 *       stay bounded: see {@link #pendingSeals}); a repair that finds none is not queued.
 *   <li>The store's accounted bytes ({@code total}) change by the sealed file's size minus the
 *       chunk's at the swap, and by nothing else here.
 *   <li>Every rotated chunk handed over since the store's last sync is in {@link #unforcedWaiting}'s
 *       list until {@link #forgetUnforced}, so a sync can force those the seal thread has not made
 *       durable yet; without syncs the list drops sealed ones as it grows, so it stays bounded.
 * </ul>
 *
 * <p><b>Locking.</b> {@link #handOver}, {@link #retryFailed}, {@link #sealNow} and the list of
 * unforced chunks belong to the store's writer: they are called with the store's write lock held (or
 * at open, before the store is shared), and that lock guards the list. The seal thread takes no
 * store lock: only the app's monitor, inside {@link AppLog}'s operations, to swap the sealed chunk
 * in. {@link #tryRun} and {@link #awaitIdle} may be called from any thread.
 */
final class Sealer {
    /** The store's logger: operators' log settings for the store keep covering its seals. */
    private static final Logger log = LoggerFactory.getLogger(LogStore.class);

    /** Reserved for a sealed chunk's header, block framing and index beyond its compressed bytes. */
    static final int SEAL_OVERHEAD_BYTES = 64 * 1024;

    /** Chunks waiting for the seal thread store-wide, at most, whatever the budget allows. */
    static final int MAX_PENDING_SEALS = 64;

    /**
     * The store's settings the sealer uses.
     *
     * @param chunkSize {@code chunk_size}: an active chunk this large is rotated
     * @param chunkMaxAgeMillis {@code chunk_max_age}: an active chunk whose first record is this old is
     *     rotated
     * @param compressionLevel {@code compression_level} of the sealed files
     * @param maxPending seals (and repairs) queued or running at most; see {@link #pendingSeals}
     */
    record Config(long chunkSize, long chunkMaxAgeMillis, int compressionLevel, int maxPending) {
        static Config of(StoreConfig c) {
            return new Config(c.chunkSize().bytes(), c.chunkMaxAge().toMillis(), c.compressionLevel(), pendingSeals(c));
        }
    }

    /**
     * Chunks rotated out and not yet sealed, store-wide, at most: the writer waits past it. Enough for
     * apps that fill their chunks at the same moment to be compressed while the writer goes on:
     * between 2 and {@link #MAX_PENDING_SEALS}, and at most min(256 MiB, max_total / 8) of chunk bytes.
     */
    static int pendingSeals(StoreConfig config) {
        long budget = Math.min(256L << 20, config.maxTotal().bytes() / 8);
        long n = budget / Math.max(1, config.chunkSize().bytes());
        return (int) Math.max(2, Math.min(MAX_PENDING_SEALS, n));
    }

    private final Path storeDir;
    private final Config config;
    private final SpaceWriter space;
    private final AtomicLong total;
    private final StoreMetrics metrics;
    private final Semaphore permits;
    private final ExecutorService thread;

    /**
     * Chunks rotated out since the last sync, not forced: a sync forces those the seal thread has not
     * made durable yet. Guarded by the store's write lock.
     */
    private final List<Rotated> unforced = new ArrayList<>();

    private record Rotated(AppLog app, ActiveChunk chunk) {
        boolean waiting() {
            return app.isWaiting(chunk);
        }
    }

    /**
     * @param storeDir the store's directory, for messages
     * @param space what each sealed file reserves its bytes through before it is written
     * @param total the store's accounted bytes, adjusted at each swap
     */
    Sealer(Path storeDir, Config config, SpaceWriter space, AtomicLong total, StoreMetrics metrics) {
        this.storeDir = storeDir;
        this.config = config;
        this.space = space;
        this.total = total;
        this.metrics = metrics;
        this.permits = new Semaphore(config.maxPending());
        this.thread = Executors.newSingleThreadExecutor(NamedThreadFactory.daemon("store-seal"));
    }

    // ---------------------------------------------------------------- when

    /** Whether an active chunk of {@code chunkBytes} is full: rotated at once. */
    boolean full(long chunkBytes) {
        return chunkBytes >= config.chunkSize();
    }

    /** Whether the app's active chunk is {@code chunk_max_age} old: rotated by maintenance. */
    boolean due(AppLog a, long nowMillis) {
        return a.activeOpenFor(nowMillis, config.chunkMaxAgeMillis());
    }

    // ---------------------------------------------------------------- how (the writer's side)

    /**
     * Takes a chunk the writer has just rotated out of {@code a} ({@link AppLog#rotate}): closes it
     * unforced, remembers it for the next sync, and queues its seal, waiting while {@link
     * Config#maxPending} tasks are pending. Caller holds the store's write lock.
     */
    void handOver(AppLog a, ActiveChunk c) throws IOException {
        // Not forced here: an fsync of 4 MiB would stall the writer, and the seal thread's sealed file
        // is forced anyway; sync() forces the chunk only if it is still waiting for the seal then.
        c.closeChannelUnforced();
        // Without syncs (fsync_on_flush: false) the list would only grow: drop what was sealed since.
        unforced.removeIf(r -> !r.waiting());
        unforced.add(new Rotated(a, c));
        submit(a, c);
    }

    /** Queues again the app's waiting chunks whose seal failed. Caller holds the store's write lock. */
    void retryFailed(AppLog a) throws IOException {
        for (ActiveChunk c : a.takeFailedSeals()) {
            submit(a, c);
        }
    }

    /**
     * At open: seals the app's active chunk on the calling thread, if it has records.
     *
     * @throws FloorException if the filesystem is at its floor: the chunk stays active
     */
    void sealNow(AppLog a) throws IOException {
        ActiveChunk c = a.activeToSeal();
        if (c != null) {
            seal(a, c);
        }
    }

    /** The rotated chunks handed over since {@link #forgetUnforced} that still wait for their seal. */
    List<Path> unforcedWaiting() {
        List<Path> out = new ArrayList<>();
        for (Rotated r : unforced) {
            if (r.waiting()) {
                out.add(r.chunk().path);
            }
        }
        return out;
    }

    /** Every rotated chunk handed over since {@link #forgetUnforced}, sealed meanwhile or not. */
    List<Path> unforced() {
        return unforced.stream().map(r -> r.chunk().path).toList();
    }

    /** A sync (or the close) forced what {@link #unforcedWaiting} listed. */
    void forgetUnforced() {
        unforced.clear();
    }

    /** Rotated chunks the next sync would look at (tests: bounded without syncs too). */
    int unforcedCount() {
        return unforced.size();
    }

    private void submit(AppLog a, ActiveChunk c) throws IOException {
        permits.acquireUninterruptibly();
        try {
            thread.execute(() -> sealInBackground(a, c));
        } catch (RejectedExecutionException e) {
            permits.release();
            throw new IOException("store " + storeDir + " is closing", e);
        }
    }

    // ---------------------------------------------------------------- how (the seal thread's side)

    /** On the seal thread: compresses one rotated chunk and swaps it in. A failure is retried by maintain. */
    private void sealInBackground(AppLog a, ActiveChunk c) {
        try {
            seal(a, c);
        } catch (IOException | RuntimeException e) {
            a.sealFailed(c);
            if (e instanceof FloorException) {
                // The space accountant logged the episode once, with the figures; retried every second.
                log.debug("store: app {}: sealing chunk {} waits for space: {}", a.name, c.path, e.getMessage());
            } else {
                log.error(
                        "store: app {}: sealing chunk {} failed (retried; its records stay readable): {}",
                        a.name,
                        c.path,
                        e.getMessage());
            }
        } finally {
            permits.release();
        }
    }

    /**
     * Compresses a chunk into its sealed file and swaps it in for the app's active chunk or for a
     * waiting one; then deletes the {@code .open} file. Queries keep reading the chunk while it is
     * compressed.
     */
    private void seal(AppLog a, ActiveChunk c) throws IOException {
        byte[] frames = c.readAll();
        // The sealed file exists beside the .open one until the swap: reserve a bound on its size
        // (zstd's worst case is a little over the input; the index is small) before writing it.
        Reservation room = space.reserve(frames.length + frames.length / 64 + SEAL_OVERHEAD_BYTES);
        if (!room.granted()) {
            throw new FloorException("store: sealing chunk " + c.id + " of app " + a.name + ": " + room.refusal());
        }
        SealedChunk s;
        try {
            s = SealedChunk.write(a.dir, c.id, frames, c.lastWriteMillis, config.compressionLevel());
        } catch (IOException | RuntimeException e) {
            room.cancel();
            throw e;
        }
        room.written(s.fileSize);
        a.replaceWithSealed(c, s);
        c.closeQuietly();
        Files.deleteIfExists(c.path);
        total.addAndGet(s.fileSize - frames.length);
        metrics.sealed();
        log.debug(
                "store: app {}: sealed chunk {} ({} records, {} -> {})",
                a.name,
                SealedChunk.name(s.id),
                s.count,
                DataSize.human(frames.length),
                DataSize.human(s.fileSize));
    }

    // ---------------------------------------------------------------- any thread

    /**
     * Runs {@code task} on the seal thread if a permit is free at once (it holds the permit until it
     * ends); false if none is free or the sealer is shut down, and the task is not run.
     */
    boolean tryRun(Runnable task) {
        if (!permits.tryAcquire()) {
            return false;
        }
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } finally {
                    permits.release();
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            permits.release();
            return false;
        }
    }

    /** Waits until no seal or repair is queued or running. */
    void awaitIdle() {
        permits.acquireUninterruptibly(config.maxPending());
        permits.release(config.maxPending());
    }

    /** Whether a seal or repair is queued or running. */
    boolean busy() {
        return permits.availablePermits() < config.maxPending();
    }

    /** Queues nothing more; the queued tasks still run. See {@link #awaitStopped}. */
    void shutdown() {
        thread.shutdown();
    }

    /** After {@link #shutdown}: waits up to a minute for the queued tasks to end. */
    void awaitStopped() {
        try {
            if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
                log.warn("store: sealing still running at close; the next open seals what is left");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
