package io.spillway.store;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One live follower: a bounded queue the store's writer fills (after the records are stored) and one
 * consumer polls. On overflow the oldest pending record is discarded and counted in {@link #missed}.
 *
 * <p>A substring filter runs on the writer side (a bounded byte search), so only matching records take
 * queue space. A regex runs on the consumer side in {@link #poll}, each match under the query time
 * budget: a hostile pattern can slow only its own follower, never ingestion; a record whose match runs
 * out of time is not handed over.
 *
 * <p>Thread-safe: offers and polls are serialised by a lock.
 */
final class BoundedTail implements Tail {
    private final int capacity;
    private final @Nullable ByteSearch substring;
    private final @Nullable Pattern regex;
    private final LongSupplier ticker;
    private final long matchTimeoutNanos;
    private final Runnable onClose;
    private final Runnable onMissed;
    private final ArrayDeque<StoredRecord> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private long missed;
    private boolean closed;

    BoundedTail(
            int capacity,
            @Nullable Filter filter,
            LongSupplier ticker,
            long matchTimeoutNanos,
            Runnable onClose,
            Runnable onMissed) {
        this.capacity = capacity;
        this.substring = filter == null || filter.isRegex() ? null : new ByteSearch(filter.text());
        this.regex = filter != null && filter.isRegex() ? filter.pattern() : null;
        this.ticker = ticker;
        this.matchTimeoutNanos = matchTimeoutNanos;
        this.onClose = onClose;
        this.onMissed = onMissed;
    }

    /** Called by the store's writer once the record is stored. Never blocks for long. */
    void offer(StoredRecord r) {
        byte[] m = r.record().messageBytes();
        if (substring != null && !substring.contains(m, 0, m.length)) {
            return;
        }
        boolean dropped = false;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (queue.size() >= capacity) {
                queue.pollFirst();
                missed++;
                dropped = true;
            }
            queue.addLast(r);
            ready.signal();
        } finally {
            lock.unlock();
        }
        if (dropped) {
            onMissed.run();
        }
    }

    @Override
    public List<StoredRecord> poll(Duration wait, int max) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            List<StoredRecord> out = new ArrayList<>();
            lock.lock();
            try {
                // A closed tail behaves like an idle one (no busy loop for a consumer that keeps
                // polling); isClosed() tells it to stop.
                while (queue.isEmpty()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return List.of();
                    }
                    ready.awaitNanos(left);
                }
                while (!queue.isEmpty() && out.size() < max) {
                    out.add(queue.pollFirst());
                }
            } finally {
                lock.unlock();
            }
            if (regex == null || out.isEmpty()) {
                return out;
            }
            List<StoredRecord> matching = new ArrayList<>(out.size());
            for (StoredRecord r : out) {
                Budget budget = new Budget(ticker, matchTimeoutNanos, Long.MAX_VALUE);
                try {
                    if (regex.matcher(new Budget.Deadlined(r.record().messageText(), budget))
                            .find()) {
                        matching.add(r);
                    }
                } catch (Budget.TimeUp e) {
                    // not handed over: see the class comment
                }
            }
            if (!matching.isEmpty() || System.nanoTime() - deadline >= 0) {
                return matching;
            }
        }
    }

    @Override
    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long missed() {
        lock.lock();
        try {
            return missed;
        } finally {
            lock.unlock();
        }
    }

    /** Records waiting to be polled. */
    int pending() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            ready.signalAll();
        } finally {
            lock.unlock();
        }
        onClose.run();
    }
}
