package io.spillway.store;

import com.github.luben.zstd.ZstdDecompressCtx;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Decoding one sealed block for a query: decompress its compressed bytes (already read by the
 * query), check the CRC, and, for a substring query, find out whether the block's bytes contain the
 * substring at all. Run exactly once, by whoever {@link #claim}s it first: a {@link ScanPool} worker or
 * the query itself.
 *
 * <p>Thread-safety: the fields set by {@link #run} are published to the query by the latch in {@link
 * #await} (or are the query's own writes when it ran the task itself).
 */
final class BlockTask {
    final SealedChunk.Block block;
    private byte[] compressed;
    private final @Nullable ByteSearch substring;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);

    /**
     * The query's buffer for this task's window slot; after {@link #run}, holds the block if {@link
     * #mayMatch} (it may then be another array: see {@link Scratch}).
     */
    byte[] out;

    /** Set if the block does not decompress or fails its CRC. */
    @Nullable
    IOException error;

    /** For a substring query: whether the block's bytes contain it (if not, no record can match). */
    boolean mayMatch = true;

    BlockTask(SealedChunk.Block block, byte[] compressed, byte[] out, @Nullable ByteSearch substring) {
        this.block = block;
        this.compressed = compressed;
        this.out = out;
        this.substring = substring;
    }

    /**
     * Per-thread decoding state, owned by one thread. Blocks are decompressed into the thread's own
     * buffer, which stays in its core's cache; only a block the query must split into records is
     * handed over, by swapping buffers with the task, so a scan of blocks that cannot match writes no
     * cold memory.
     */
    static final class Scratch {
        final ZstdDecompressCtx zstd;
        final CRC32C crc = new CRC32C();
        byte[] buf = new byte[0];

        Scratch(ZstdDecompressCtx zstd) {
            this.zstd = zstd;
        }
    }

    /** Takes the task for the calling thread; false if someone else has it already. */
    boolean claim() {
        return claimed.compareAndSet(false, true);
    }

    /** Decodes the block; the caller claimed the task. Never throws: failures land in {@link #error}. */
    void run(Scratch s) {
        try {
            byte[] raw = SealedChunk.decode(block, compressed, s.zstd, s.buf, s.crc);
            s.buf = raw;
            if (substring != null) {
                mayMatch = substring.contains(raw, 0, block.rawLength());
            }
            if (mayMatch) {
                // the query reads this block: it takes the thread's buffer, the thread takes the slot's
                s.buf = out;
                out = raw;
            }
        } catch (IOException e) {
            error = e;
        } catch (RuntimeException e) {
            error = new IOException("block at " + block.offset() + ": " + e, e);
        } finally {
            done.countDown();
        }
    }

    /** Waits until the task has run (it was claimed by a worker, which is running it now). */
    void await() throws InterruptedIOException {
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("query interrupted");
        }
    }

    /**
     * Withdraws the task if no worker started it, dropping its buffers at once (a withdrawn task may
     * sit in the pool's queue a while longer).
     */
    void cancel() {
        if (claim()) {
            compressed = EMPTY;
            out = EMPTY;
            done.countDown();
        }
    }

    /** Drops the compressed bytes once the result was taken (the task may still sit in the queue). */
    void forget() {
        compressed = EMPTY;
    }

    private static final byte[] EMPTY = new byte[0];

    /** Whether the task has run (or was withdrawn). */
    boolean isDone() {
        return done.getCount() == 0;
    }
}
