package io.spillway.store;

import com.github.luben.zstd.ZstdDecompressCtx;
import io.spillway.thread.NamedThreadFactory;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's shared pool of threads that decompress (and pre-scan) sealed blocks ahead of the
 * queries that will read them, so one query uses more than one core.
 *
 * <p>Design: a fixed number of daemon threads {@code store-scan-N}, each owning one zstd context for
 * its whole life, take {@link BlockTask}s from one bounded queue. A query never waits for room in
 * the queue: {@link #offer} fails when it is full (or the pool is closed), and the query then decodes
 * that block itself when it reaches it. A query also runs a task itself when it reaches one that no
 * worker has started ({@link BlockTask#claim}), and only ever waits for a task that a worker is
 * running, which never waits on anything. So the pool is strictly an accelerator: queries make the
 * same progress with it saturated or closed, and it cannot deadlock. Memory: the queue holds at most
 * {@code queueCapacity} tasks, and each query has at most its window of tasks outstanding.
 *
 * <p>Thread-safe.
 */
final class ScanPool implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(ScanPool.class);

    private final BlockingQueue<BlockTask> queue;
    private final List<Thread> threads = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong decoded = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;

    ScanPool(int threadCount, int queueCapacity, String name) {
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        NamedThreadFactory factory = NamedThreadFactory.daemon(name + "-", 0);
        for (int i = 0; i < threadCount; i++) {
            Thread t = factory.newThread(this::work);
            threads.add(t);
            t.start();
        }
    }

    /**
     * A pool sized to the machine: one thread per available processor, or the number given by the
     * system property {@code spillway.store.scan_threads} (0 turns decoding ahead off: benchmarks
     * compare both).
     */
    static @org.jspecify.annotations.Nullable ScanPool forMachine() {
        int n = Math.max(1, Runtime.getRuntime().availableProcessors());
        n = Integer.getInteger("spillway.store.scan_threads", n);
        return n <= 0 ? null : new ScanPool(n, 16 * n, "store-scan");
    }

    /** Queues a task; false if the queue is full or the pool closed (the caller then runs it itself). */
    boolean offer(BlockTask task) {
        return !closed && queue.offer(task);
    }

    /** Tasks waiting in the queue (tests). */
    int queued() {
        return queue.size();
    }

    /** Blocks the pool's threads decoded so far (tests). */
    long decoded() {
        return decoded.get();
    }

    int threads() {
        return threads.size();
    }

    private void work() {
        try (ZstdDecompressCtx zstd = new ZstdDecompressCtx()) {
            BlockTask.Scratch scratch = new BlockTask.Scratch(zstd);
            while (!closed) {
                BlockTask t;
                try {
                    t = queue.poll(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    break;
                }
                if (t != null && t.claim()) {
                    t.run(scratch);
                    decoded.incrementAndGet();
                }
            }
        } catch (RuntimeException | Error e) {
            log.error("store: scan thread {} died: {}", Thread.currentThread().getName(), e.toString());
            throw e;
        }
    }

    /** Stops the threads; queued tasks are left to the queries that own them (they run them themselves). */
    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            t.interrupt();
        }
    }
}
