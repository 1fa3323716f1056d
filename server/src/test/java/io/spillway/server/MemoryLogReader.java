package io.spillway.server;

import io.spillway.record.LogRecord;
import io.spillway.store.AppSummary;
import io.spillway.store.Filter;
import io.spillway.store.LogReader;
import io.spillway.store.Query;
import io.spillway.store.QueryResult;
import io.spillway.store.StoredRecord;
import io.spillway.store.Tail;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A {@link LogReader} over lists in memory, for route tests: the cursor is the record's position in its
 * app's list. Follows are bounded queues of {@code tailCapacity} that drop the oldest and count it.
 */
public final class MemoryLogReader implements LogReader {
    private final Map<String, List<LogRecord>> apps = new TreeMap<>();
    private final Set<MemoryTail> tails = ConcurrentHashMap.newKeySet();
    private final int tailCapacity;
    volatile int maxFollowers = Integer.MAX_VALUE;

    public MemoryLogReader(int tailCapacity) {
        this.tailCapacity = tailCapacity;
    }

    public synchronized void append(LogRecord r) {
        List<LogRecord> list = apps.computeIfAbsent(r.app(), a -> new ArrayList<>());
        list.add(r);
        StoredRecord s = new StoredRecord(r.app() + ":" + (list.size() - 1), r);
        for (MemoryTail t : tails) {
            t.offer(s);
        }
    }

    /** Closes every tail, as the store does when it closes. */
    public void closeTails() {
        tails.clear();
    }

    public int openTails() {
        return tails.size();
    }

    @Override
    public synchronized List<AppSummary> apps() {
        List<AppSummary> out = new ArrayList<>();
        for (String a : apps.keySet()) {
            out.add(app(a));
        }
        return out;
    }

    @Override
    public synchronized @Nullable AppSummary app(String app) {
        List<LogRecord> list = apps.get(app);
        if (list == null) {
            return null;
        }
        long raw = list.stream().mapToLong(LogRecord::messageLength).sum();
        return new AppSummary(
                app,
                list.size(),
                raw / 2,
                raw,
                list.isEmpty() ? null : instant(list.getFirst().timestamp()),
                list.isEmpty() ? null : instant(list.getLast().timestamp()),
                0.5,
                0);
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(0, nanos);
    }

    @Override
    public synchronized QueryResult query(Query q) {
        List<LogRecord> list = apps.getOrDefault(q.app(), List.of());
        boolean newest = q.order() == Query.Order.NEWEST_FIRST;
        int start = newest ? list.size() - 1 : 0;
        if (q.cursor() != null) {
            String c = q.cursor();
            if (!c.startsWith(q.app() + ":")) {
                throw new IllegalArgumentException("bad cursor " + c);
            }
            int i;
            try {
                i = Integer.parseInt(c.substring(q.app().length() + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad cursor " + c);
            }
            start = newest ? i - 1 : i + 1;
        }
        List<StoredRecord> out = new ArrayList<>();
        int i = start;
        for (; i >= 0 && i < list.size() && out.size() < q.limit(); i += newest ? -1 : 1) {
            LogRecord r = list.get(i);
            Instant t = instant(r.timestamp());
            if (q.since() != null && t.isBefore(q.since())) {
                continue;
            }
            if (q.until() != null && !t.isBefore(q.until())) {
                continue;
            }
            if (q.filter() != null && !q.filter().matches(r.messageText())) {
                continue;
            }
            out.add(new StoredRecord(q.app() + ":" + i, r));
        }
        boolean more = i >= 0 && i < list.size();
        return new QueryResult(out, more ? out.getLast().cursor() : null, null, 0);
    }

    @Override
    public Tail follow(String app, @Nullable Filter filter) {
        if (tails.size() >= maxFollowers) {
            throw new IllegalStateException("too many live followers: max_followers is " + maxFollowers);
        }
        MemoryTail t = new MemoryTail(app, filter);
        tails.add(t);
        return t;
    }

    final class MemoryTail implements Tail {
        private final String app;
        private final @Nullable Filter filter;
        private final ArrayDeque<StoredRecord> pending = new ArrayDeque<>();
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition nonEmpty = lock.newCondition();
        private long missed;

        MemoryTail(String app, @Nullable Filter filter) {
            this.app = app;
            this.filter = filter;
        }

        void offer(StoredRecord s) {
            if (!s.record().app().equals(app)
                    || (filter != null && !filter.matches(s.record().messageText()))) {
                return;
            }
            lock.lock();
            try {
                if (pending.size() >= tailCapacity) {
                    pending.removeFirst();
                    missed++;
                }
                pending.addLast(s);
                nonEmpty.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public List<StoredRecord> poll(Duration wait, int max) throws InterruptedException {
            lock.lock();
            try {
                long nanos = wait.toNanos();
                while (pending.isEmpty() && nanos > 0) {
                    nanos = nonEmpty.awaitNanos(nanos);
                }
                List<StoredRecord> out = new ArrayList<>();
                while (!pending.isEmpty() && out.size() < max) {
                    out.add(pending.removeFirst());
                }
                return out;
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

        @Override
        public void close() {
            tails.remove(this);
        }

        @Override
        public boolean isClosed() {
            return !tails.contains(this);
        }
    }
}
