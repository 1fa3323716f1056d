package io.spillway.buffer;

import io.spillway.admission.Admission;
import io.spillway.admission.Drops;
import io.spillway.record.LogRecord;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A single bounded FIFO in memory. A record that does not fit the byte budget is refused and counted
 * as {@code buffer_full}. It is neither fair nor durable: it is the baseline the fair buffer replaces,
 * and what tests use when fairness is not the subject. {@link #offerDurable} calls back at once after
 * acceptance with {@code durable = false}: nothing it holds survives a crash.
 *
 * <p>Invariant: {@code bytes} equals the sum of sizes in {@code queue} plus the outstanding batch,
 * and never exceeds {@code maxBytes}.
 */
public final class MemoryBuffer implements Buffer {
    private final long maxBytes;
    private final Drops drops;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<LogRecord> queue = new ArrayDeque<>();
    private long bytes;
    private @Nullable Batch outstanding;

    public MemoryBuffer(long maxBytes, Drops drops) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.drops = drops;
    }

    @Override
    public Admission offer(LogRecord record) {
        long size = record.sizeBytes();
        lock.lock();
        try {
            if (bytes + size > maxBytes) {
                drops.dropped(record.app(), "buffer_full", 1, record.messageLength());
                return Admission.dropped("buffer_full");
            }
            queue.addLast(record);
            bytes += size;
            notEmpty.signal();
            return Admission.ACCEPTED;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public @Nullable Batch poll(int maxRecords, long maxBatchBytes, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            while (queue.isEmpty() || outstanding != null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                notEmpty.awaitNanos(left);
            }
            List<LogRecord> out = new ArrayList<>(Math.min(maxRecords, queue.size()));
            long taken = 0;
            while (!queue.isEmpty() && out.size() < maxRecords) {
                LogRecord r = queue.peekFirst();
                long size = r.sizeBytes();
                if (!out.isEmpty() && taken + size > maxBatchBytes) {
                    break;
                }
                queue.pollFirst();
                out.add(r);
                taken += size;
            }
            Batch batch = new Batch(out, taken);
            outstanding = batch;
            return batch;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void commit(Batch batch) {
        lock.lock();
        try {
            requireOutstanding(batch);
            bytes -= batch.bytes();
            outstanding = null;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void release(Batch batch) {
        lock.lock();
        try {
            requireOutstanding(batch);
            List<LogRecord> records = batch.records();
            for (int i = records.size() - 1; i >= 0; i--) {
                queue.addFirst(records.get(i));
            }
            outstanding = null;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    private void requireOutstanding(Batch batch) {
        if (outstanding != batch) {
            throw new IllegalStateException("batch is not the outstanding batch of this buffer");
        }
    }

    @Override
    public long records() {
        lock.lock();
        try {
            return queue.size() + (outstanding == null ? 0 : outstanding.size());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until a poller could proceed; for tests. */
    boolean awaitEmpty(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (records() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
