package io.spillway.store;

import com.github.luben.zstd.ZstdDecompressCtx;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One query over one app's snapshot: walks chunks and blocks in the query's order, skipping those
 * whose time span misses the range or that lie before the cursor, decompresses the rest block by
 * block, and filters records (time, then substring on UTF-8 bytes or regex under the deadline).
 *
 * <p><b>Parallel decoding.</b> The sealed blocks the walk will read are listed up front (from the
 * in-memory indexes). While the query examines block {@code i}, the compressed bytes of blocks {@code
 * i+1 .. i+window-1} are read (on the query thread) and handed to the store's {@link ScanPool}, whose
 * threads decompress them, check their CRCs and, for a substring query, test whether the block
 * contains the substring at all. Blocks are still examined strictly in the query's order on the
 * query thread, so results, cursors and budgets are exactly those of a sequential walk: every budget
 * check below happens on the query thread at the same point of the walk. A block no worker has
 * started when the walk reaches it is decoded by the query thread itself, and while it waits for a
 * block a worker is decoding, the query thread decodes later blocks of its window that no worker
 * started. Prefetching never reaches
 * past what the byte budget would allow (assuming every earlier block is scanned), and a query that
 * stops withdraws the tasks no worker has started. Memory: at most {@code window} decompressed
 * blocks per query.
 *
 * <p>Budgets: before each block, the scanned-bytes budget (the first block is always allowed); before
 * each record and inside regex matching, the deadline. Progress is guaranteed: a query that stops
 * early has examined at least one record and returns the position of the last one it examined as the
 * cursor, so continuing never repeats work; a record whose regex match ran out of time counts as
 * examined and not matching.
 *
 * <p><b>Orders.</b> {@code ARRIVAL} walks chunks and records in the order they were stored and stops
 * at the page's limit. {@code NEWEST_FIRST} and {@code OLDEST_FIRST} are by record time, ties by
 * arrival ({@link Cursor#byTime}): arrival usually follows time, but not always (several connections,
 * retries, stdout against stderr), so a page cannot simply be the last records stored. The walk then
 * visits the blocks sorted by their newest (resp. oldest) time from the in-memory index, keeps the
 * {@code limit} best records in a heap, and stops at the first block whose whole time span is worse
 * than the heap's worst record: the time index does the work, and when arrival follows time that is
 * the block after the page. When a budget stops such a walk, only records better than every block not
 * yet read are certain to be in place; those are returned, and the cursor continues after them. When
 * none is certain, the page is empty (with the stop's reason) and its cursor goes on in arrival order
 * from the start of the range, past the earlier pages' time boundary ({@link Cursor#resume}): every
 * later page then makes progress like an arrival walk, and no record is skipped; the order is by time
 * again for a query started afresh.
 *
 * <p>Not thread-safe: one per query.
 */
final class QueryRun {
    private static final Logger log = LoggerFactory.getLogger(QueryRun.class);

    /** How often (in records) the deadline is read outside regex matching. */
    private static final int CHECK_EVERY = 64;

    private final AppLog app;
    private final Query query;
    private final @Nullable Cursor after;
    /** Arrival walks: the position to continue after (null: from the start). */
    private final @Nullable Cursor arrivalAfter;
    /** The time boundary: records on its near side were on earlier pages (null: none). */
    private final @Nullable Cursor timeAfter;

    private final Budget budget;
    private final StoreMetrics metrics;
    private final boolean newestFirst;
    /** By record time (NEWEST_FIRST, OLDEST_FIRST) rather than in arrival order. */
    private final boolean timeOrder;
    /** Time orders: the best records so far, the worst at the head; at most {@code limit}. */
    private final java.util.PriorityQueue<Hit> best;
    /** Time of the last record examined (arrival order's budget cursor). */
    private long lastTs;
    /** The walk's items in arrival order (in the query's direction), before a time order sorts them. */
    private List<Object> arrivalWalk = List.of();
    /** Time orders: a record left the heap for a better one (the heap no longer holds every match). */
    private boolean evicted;

    private final long since;
    private final long until;
    private final @Nullable ByteSearch substring;
    private final @Nullable Pattern regex;
    private final List<StoredRecord> out = new ArrayList<>();
    /** Position of the last record examined: chunk id, or -1 before the first. */
    private long lastChunk = -1;

    private int lastIndex;
    private int sinceCheck;
    private int[] offsets = new int[256];
    private int[] lengths = new int[256];

    private final @Nullable ScanPool pool;
    /** Told of a sealed chunk with a damaged block, so the store can cut it out. */
    private final java.util.function.Consumer<SealedChunk> onCorrupt;

    private final int window;

    /** The walk: {@link BlockRef}s of sealed chunks and {@link AppLog.ActiveView}s, in the query's order. */
    private List<Object> items = List.of();
    /** What was fetched for an item: a {@link BlockTask}, {@link #MISSING} or an {@link IOException}. */
    private @Nullable Object[] fetched = new Object[0];
    /** Next item to fetch. */
    private int ahead;
    /** Bytes the items in [current, ahead) will scan: what the prefetch must leave to the budget. */
    private long aheadBytes;
    /** Decompression buffers, one per window slot (item {@code j} uses slot {@code j % window}). */
    private final byte[][] buffers;

    private @Nullable SealedChunk channelChunk;
    private @Nullable FileChannel channel;
    private boolean channelMissing;
    private BlockTask.@Nullable Scratch own;

    private static final Object MISSING = new Object();

    /** A record kept for a time-ordered page. */
    private record Hit(long ts, long chunk, int index, StoredRecord record) {}

    /** One sealed block the walk reads. */
    private record BlockRef(SealedChunk chunk, SealedChunk.Block block) {}

    /**
     * @param pool decodes blocks ahead of the walk, or null to decode each on the query thread
     * @param window blocks decoded at most at once for this query (the one examined included), at least 1
     */
    QueryRun(
            AppLog app,
            Query query,
            @Nullable Cursor after,
            Budget budget,
            StoreMetrics metrics,
            @Nullable ScanPool pool,
            int window,
            java.util.function.Consumer<SealedChunk> onCorrupt) {
        this.onCorrupt = onCorrupt;
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1");
        }
        this.pool = pool;
        this.window = window;
        this.buffers = new byte[window][];
        java.util.Arrays.fill(buffers, new byte[0]);
        this.app = app;
        this.query = query;
        this.after = after;
        boolean continuation = after != null && after.resume() && query.order() != Query.Order.ARRIVAL;
        this.budget = budget;
        this.metrics = metrics;
        this.newestFirst = query.order() == Query.Order.NEWEST_FIRST;
        this.timeOrder = query.order() != Query.Order.ARRIVAL && !continuation;
        if (query.order() == Query.Order.ARRIVAL) {
            this.arrivalAfter = after;
            this.timeAfter = null;
        } else if (continuation) {
            this.arrivalAfter =
                    after.resumeChunk() < 0 ? null : new Cursor(0, after.resumeChunk(), after.resumeIndex());
            this.timeAfter = after.hasTime() ? after : null;
        } else {
            this.arrivalAfter = null;
            this.timeAfter = after;
        }
        // Worst first: for newest the oldest hit, for oldest the newest one.
        java.util.Comparator<Hit> byTime = (x, y) -> Cursor.byTime(x.ts, x.chunk, x.index, y.ts, y.chunk, y.index);
        this.best = new java.util.PriorityQueue<>(
                Math.min(query.limit(), 1024) + 1, newestFirst ? byTime : byTime.reversed());
        this.since = query.since() == null ? Long.MIN_VALUE : nanos(query.since());
        this.until = query.until() == null ? Long.MAX_VALUE : nanos(query.until());
        Filter f = query.filter();
        this.substring = f == null || f.isRegex() || f.text().isEmpty() ? null : new ByteSearch(f.text());
        this.regex = f != null && f.isRegex() ? f.pattern() : null;
    }

    private static long nanos(java.time.Instant t) {
        try {
            return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
        } catch (ArithmeticException e) {
            return t.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** Thrown to end the walk: the page is full, or a budget ran out. */
    private static final class Stop extends Exception {
        private static final long serialVersionUID = 1L;
        final @Nullable String reason;

        Stop(@Nullable String reason) {
            super(reason, null, false, false);
            this.reason = reason;
        }
    }

    QueryResult run() throws IOException {
        AppLog.Snapshot snap = app.snapshot((id, min, max) -> chunkWanted(id, min, max));
        // One order by id over sealed and unsealed chunks (a chunk whose seal failed and waits for
        // a retry can be older than a sealed one).
        List<Object> chunks = new ArrayList<>(snap.sealed().size() + snap.open().size());
        chunks.addAll(snap.sealed());
        chunks.addAll(snap.open());
        chunks.sort(java.util.Comparator.comparingLong(QueryRun::idOf));
        List<Object> walk = new ArrayList<>();
        int n = chunks.size();
        for (int k = 0; k < n; k++) {
            Object o = chunks.get(newestFirst ? n - 1 - k : k);
            if (o instanceof SealedChunk c) {
                if (!chunkWanted(c.id, c.minTs, c.maxTs)) {
                    continue;
                }
                int m = c.blocks.length;
                for (int j = 0; j < m; j++) {
                    SealedChunk.Block b = c.blocks[newestFirst ? m - 1 - j : j];
                    if (b.maxTs() < since
                            || b.minTs() >= until
                            || !rangeWanted(c.id, b.firstIndex(), b.lastIndex())
                            || !blockWanted(b)) {
                        continue;
                    }
                    walk.add(new BlockRef(c, b));
                }
            } else {
                walk.add(o);
            }
        }
        arrivalWalk = List.copyOf(walk);
        if (timeOrder) {
            // Best time span first: a block whose newest (oldest) time cannot beat the page ends it.
            java.util.Comparator<Object> edge = newestFirst
                    ? java.util.Comparator.comparingLong(QueryRun::maxOf).reversed()
                    : java.util.Comparator.comparingLong(QueryRun::minOf);
            walk.sort(edge);
        }
        items = walk;
        fetched = new Object[walk.size()];
        int consumed = 0;
        int end = walk.size();
        try {
            for (int i = 0; i < walk.size(); i++) {
                consumed = i;
                Object o = walk.get(i);
                if (timeOrder && best.size() >= query.limit() && !canImprove(o)) {
                    end = i; // every block left is wholly worse than the page's worst record
                    break;
                }
                if (o instanceof BlockRef r) {
                    sealedBlock(i, r);
                } else {
                    prefetch(i);
                    AppLog.ActiveView v = (AppLog.ActiveView) o;
                    aheadBytes -= v.frames().length;
                    activeChunk(v);
                }
            }
            consumed = end == walk.size() ? walk.size() : end - 1;
        } catch (Stop s) {
            if (timeOrder) {
                return timePage(walk, consumed, s.reason);
            }
            Cursor next = s.reason == null
                    ? cursorOfLastReturned()
                    : lastChunk < 0 ? null : new Cursor(lastTs, lastChunk, lastIndex);
            return new QueryResult(out, next == null ? query.cursor() : arrivalCursor(next), s.reason, budget.scanned);
        } finally {
            release(consumed + 1);
        }
        return timeOrder ? timePage(walk, end, null) : new QueryResult(out, null, null, budget.scanned);
    }

    /**
     * The page of a time-ordered walk: the heap's records best first. After a budget stop at item
     * {@code from}, only the records better than every item from there on are certain; the rest are
     * left for the next page.
     */
    private QueryResult timePage(List<Object> walk, int from, @Nullable String reason) {
        List<Hit> hits = new ArrayList<>(best);
        hits.sort(
                newestFirst
                        ? (x, y) -> Cursor.byTime(y.ts, y.chunk, y.index, x.ts, x.chunk, x.index)
                        : (x, y) -> Cursor.byTime(x.ts, x.chunk, x.index, y.ts, y.chunk, y.index));
        if (reason != null && from < walk.size()) {
            // Items are sorted by their best edge: the first one left bounds all that are left.
            long bound = newestFirst ? maxOf(walk.get(from)) : minOf(walk.get(from));
            hits.removeIf(h -> newestFirst ? h.ts <= bound : h.ts >= bound);
        }
        List<StoredRecord> page = new ArrayList<>(hits.size());
        for (Hit h : hits) {
            page.add(h.record);
        }
        String next = null;
        if (!hits.isEmpty() && (reason != null || best.size() >= query.limit())) {
            next = hits.get(hits.size() - 1).record.cursor();
        } else if (reason != null) {
            // Nothing is certain yet within this budget: go on in arrival order, past the time
            // boundary, so every page makes progress and nothing is skipped. When what was examined
            // is a prefix of the arrival order and every match is still in the heap, those matches
            // are this page (in arrival order) and the walk resumes after the last record examined;
            // otherwise it starts again from the range's start.
            Cursor boundary = after == null ? Cursor.resumeOnly(-1, -1) : after;
            if (!evicted && lastChunk >= 0 && examinedArrivalPrefix(from)) {
                List<Hit> all = new ArrayList<>(best);
                all.sort((x, y) -> {
                    int c = Long.compare(x.chunk, y.chunk);
                    c = c != 0 ? c : Integer.compare(x.index, y.index);
                    return newestFirst ? -c : c;
                });
                page.clear();
                for (Hit h : all) {
                    page.add(h.record);
                }
                next = boundary.withResume(lastChunk, lastIndex).encode();
            } else {
                next = boundary.withResume(-1, -1).encode();
            }
        }
        return new QueryResult(page, next, reason, budget.scanned);
    }

    /** Whether items [0, from] of the time-sorted walk are the first ones of the arrival order. */
    private boolean examinedArrivalPrefix(int from) {
        int n = Math.min(from, items.size() - 1);
        for (int i = 0; i <= n; i++) {
            if (items.get(i) != arrivalWalk.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** The cursor continuing an arrival walk after {@code pos}: a plain position, or a continuation. */
    private String arrivalCursor(Cursor pos) {
        if (query.order() == Query.Order.ARRIVAL) {
            return pos.encode();
        }
        Cursor boundary = timeAfter == null ? Cursor.resumeOnly(-1, -1) : timeAfter;
        return boundary.withResume(pos.chunk(), pos.index()).encode();
    }

    private static long minOf(Object item) {
        return item instanceof BlockRef r ? r.block().minTs() : ((AppLog.ActiveView) item).minTs();
    }

    private static long maxOf(Object item) {
        return item instanceof BlockRef r ? r.block().maxTs() : ((AppLog.ActiveView) item).maxTs();
    }

    /** Whether an item's time span can hold a record better than the page's worst (ties included). */
    private boolean canImprove(Object item) {
        Hit worst = best.peek();
        return worst == null || (newestFirst ? maxOf(item) >= worst.ts : minOf(item) <= worst.ts);
    }

    /** Bytes an item scans once reached. */
    private static long sizeOf(Object item) {
        return item instanceof BlockRef r ? r.block().rawLength() : ((AppLog.ActiveView) item).frames().length;
    }

    /**
     * Fetches items up to {@code current + window - 1}, as long as the byte budget would still allow
     * them once everything before them is scanned; item {@code current} itself is always fetched.
     */
    private void prefetch(int current) throws IOException {
        int limit = Math.min(items.size(), current + window);
        while (ahead < limit) {
            Object item = items.get(ahead);
            long size = sizeOf(item);
            if (ahead > current && !budget.wouldAllow(budget.scanned + aheadBytes, size)) {
                return; // the walk stops at or before this item: decoding it would be wasted
            }
            if (item instanceof BlockRef r) {
                fetched[ahead] = fetch(ahead, r, ahead > current);
            }
            aheadBytes += size;
            ahead++;
        }
    }

    /** Reads a block's compressed bytes and offers its decoding to the pool. */
    private Object fetch(int index, BlockRef r, boolean offer) {
        SealedChunk c = r.chunk();
        try {
            if (channelChunk != c) {
                closeChannel();
                channelChunk = c;
                try {
                    channel = FileChannel.open(c.path, StandardOpenOption.READ);
                } catch (NoSuchFileException e) {
                    channelMissing = true; // evicted since the snapshot: it is before everything left
                }
            }
        } catch (IOException e) {
            return e;
        }
        FileChannel ch = channel;
        if (channelMissing || ch == null) {
            return MISSING;
        }
        byte[] compressed;
        try {
            compressed = SealedChunk.readCompressed(ch, r.block());
        } catch (IOException e) {
            // Like a block that does not decompress: skipped, logged and counted when reached.
            compressed = new byte[0];
        }
        BlockTask t = new BlockTask(r.block(), compressed, buffers[index % window], substring);
        if (offer && pool != null) {
            pool.offer(t); // if full, the walk decodes it itself when it gets there
        }
        return t;
    }

    private void closeChannel() {
        FileChannel ch = channel;
        channel = null;
        channelMissing = false;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                log.debug("store: closing {}: {}", channelChunk == null ? "?" : channelChunk.path, e.getMessage());
            }
        }
    }

    /** Withdraws the tasks no worker has started, closes the channel and the query's own zstd context. */
    private void release(int from) {
        for (int j = from; j < ahead; j++) {
            if (fetched[j] instanceof BlockTask t) {
                t.cancel();
            }
            fetched[j] = null;
        }
        closeChannel();
        BlockTask.Scratch s = own;
        own = null;
        if (s != null) {
            s.zstd.close();
        }
    }

    private BlockTask.Scratch own() {
        BlockTask.Scratch s = own;
        if (s == null) {
            s = new BlockTask.Scratch(new ZstdDecompressCtx());
            own = s;
        }
        return s;
    }

    private void sealedBlock(int i, BlockRef r) throws IOException, Stop {
        prefetch(i);
        Object f = fetched[i];
        fetched[i] = null;
        SealedChunk.Block b = r.block();
        aheadBytes -= b.rawLength();
        if (f == MISSING) {
            return;
        }
        if (f instanceof IOException e) {
            throw e;
        }
        BlockTask t = (BlockTask) java.util.Objects.requireNonNull(f);
        if (!budget.mayScan(b.rawLength())) {
            throw new Stop(Budget.BYTES);
        }
        if (t.claim()) {
            t.run(own());
        } else {
            // A worker is on it: rather than idle, decode blocks further ahead that no worker started
            // (their results wait in their slots), then wait.
            for (int j = i + 1; j < ahead && !t.isDone(); j++) {
                if (fetched[j] instanceof BlockTask u && u.claim()) {
                    u.run(own());
                }
            }
            t.await();
        }
        buffers[i % window] = t.out;
        t.forget();
        if (t.error != null) {
            metrics.corrupt();
            onCorrupt.accept(r.chunk());
            log.error(
                    "store: app {}: skipping a corrupt block of {}: {}",
                    app.name,
                    r.chunk().path,
                    t.error.getMessage());
            return;
        }
        budget.scanned += b.rawLength();
        if (!t.mayMatch) {
            // Not in the block's bytes, so in none of its messages: skip it in one pass.
            skipBlock(r.chunk().id, b.firstIndex(), b.count());
            return;
        }
        byte[] raw = t.out;
        try {
            int count = splitVarint(raw, b.rawLength(), b.count());
            records(r.chunk().id, b.firstIndex(), raw, count);
        } catch (IllegalArgumentException e) {
            // The block passed its CRC but its records do not parse (a forged file, or a bug): skipped
            // and counted like a corrupt block, rather than failing the query (found by SealedChunkFuzzTest).
            metrics.corrupt();
            log.error("store: app {}: skipping a corrupt block of {}: {}", app.name, r.chunk().path, e.getMessage());
        }
    }

    private static long idOf(Object chunk) {
        return chunk instanceof SealedChunk c ? c.id : ((AppLog.ActiveView) chunk).id();
    }

    private @Nullable Cursor cursorOfLastReturned() {
        return out.isEmpty() ? null : Cursor.decode(out.get(out.size() - 1).cursor());
    }

    private boolean chunkWanted(long id, long minTs, long maxTs) {
        if (maxTs < since || minTs >= until) {
            return false;
        }
        if (timeAfter != null && !(newestFirst ? minTs <= timeAfter.ts() : maxTs >= timeAfter.ts())) {
            return false;
        }
        if (!timeOrder && arrivalAfter != null) {
            return newestFirst ? id <= arrivalAfter.chunk() : id >= arrivalAfter.chunk();
        }
        return true;
    }

    /** Whether the records [first, lastIndex] of chunk {@code id} can hold one after the cursor. */
    private boolean rangeWanted(long id, int first, int lastIndex) {
        if (timeOrder || arrivalAfter == null || id != arrivalAfter.chunk()) {
            return true; // time orders filter blocks by their time span (chunkWanted, blockWanted)
        }
        return newestFirst ? first < arrivalAfter.index() : lastIndex > arrivalAfter.index();
    }

    /** Time orders: a block wholly on the far side of the cursor's time holds nothing for this page. */
    private boolean blockWanted(SealedChunk.Block b) {
        if (timeAfter == null) {
            return true;
        }
        return newestFirst ? b.minTs() <= timeAfter.ts() : b.maxTs() >= timeAfter.ts();
    }

    private void activeChunk(AppLog.ActiveView a) throws Stop {
        if (!chunkWanted(a.id(), a.minTs(), a.maxTs()) || !rangeWanted(a.id(), 0, a.count() - 1)) {
            return;
        }
        if (!budget.mayScan(a.frames().length)) {
            throw new Stop(Budget.BYTES);
        }
        budget.scanned += a.frames().length;
        if (substring != null && !substring.contains(a.frames(), 0, a.frames().length)) {
            skipBlock(a.id(), 0, a.count());
            return;
        }
        int count = splitFrames(a.frames(), a.count());
        records(a.id(), 0, a.frames(), count);
    }

    /**
     * Marks every record of a block examined without reading them (none can match): the last one in
     * the query's order becomes the position to continue from, if it lies after the cursor.
     */
    private void skipBlock(long chunk, int firstIndex, int count) throws Stop {
        if (timeOrder) {
            lastChunk = chunk; // examined: a budget stop may end the walk after it
            lastIndex = newestFirst ? firstIndex : firstIndex + count - 1;
            if (budget.timeUp()) {
                throw new Stop(Budget.TIME);
            }
            return;
        }
        int edge = newestFirst ? firstIndex : firstIndex + count - 1;
        boolean afterCursor = arrivalAfter == null
                || chunk != arrivalAfter.chunk()
                || (newestFirst ? edge < arrivalAfter.index() : edge > arrivalAfter.index());
        if (afterCursor) {
            lastChunk = chunk;
            lastIndex = edge;
        }
        if (lastChunk >= 0 && budget.timeUp()) {
            throw new Stop(Budget.TIME);
        }
    }

    private void records(long chunk, int firstIndex, byte[] b, int count) throws Stop {
        if (timeOrder) {
            timeRecords(chunk, firstIndex, b, count);
            return;
        }
        for (int k = 0; k < count; k++) {
            int i = newestFirst ? count - 1 - k : k;
            int index = firstIndex + i;
            if (arrivalAfter != null && chunk == arrivalAfter.chunk()) {
                if (newestFirst ? index >= arrivalAfter.index() : index <= arrivalAfter.index()) {
                    continue;
                }
            }
            if (lastChunk >= 0 && ++sinceCheck >= CHECK_EVERY) {
                sinceCheck = 0;
                if (budget.timeUp()) {
                    throw new Stop(Budget.TIME);
                }
            }
            lastChunk = chunk;
            lastIndex = index;
            int off = offsets[i];
            int len = lengths[i];
            long ts = RecordFormat.timestamp(b, off);
            lastTs = ts;
            if (ts < since || ts >= until || !pastTimeBoundary(ts, chunk, index)) {
                continue;
            }
            if (!matches(b, off, len)) {
                continue;
            }
            out.add(new StoredRecord(
                    new Cursor(ts, chunk, index).encode(), RecordFormat.decode(b, off, len, app.name)));
            if (out.size() >= query.limit()) {
                throw new Stop(null);
            }
        }
    }

    /**
     * Time orders: every record of the block is a candidate; one that cannot beat the page's worst
     * is passed over before its message is matched or decoded.
     */
    private void timeRecords(long chunk, int firstIndex, byte[] b, int count) throws Stop {
        for (int k = 0; k < count; k++) {
            // In the query's direction, so what was examined when a budget stops is an arrival prefix.
            int i = newestFirst ? count - 1 - k : k;
            int index = firstIndex + i;
            if (lastChunk >= 0 && ++sinceCheck >= CHECK_EVERY) {
                sinceCheck = 0;
                if (budget.timeUp()) {
                    throw new Stop(Budget.TIME);
                }
            }
            lastChunk = chunk;
            lastIndex = index;
            int off = offsets[i];
            int len = lengths[i];
            long ts = RecordFormat.timestamp(b, off);
            if (ts < since || ts >= until) {
                continue;
            }
            if (!pastTimeBoundary(ts, chunk, index)) {
                continue; // on this side of the cursor: shown on an earlier page
            }
            Hit worst = best.peek();
            if (best.size() >= query.limit() && worst != null) {
                int c = Cursor.byTime(ts, chunk, index, worst.ts, worst.chunk, worst.index);
                if (newestFirst ? c <= 0 : c >= 0) {
                    evicted = true; // passed over unmatched: the heap may not hold every match
                    continue;
                }
            }
            if (!matches(b, off, len)) {
                continue;
            }
            best.add(new Hit(
                    ts,
                    chunk,
                    index,
                    new StoredRecord(
                            new Cursor(ts, chunk, index).encode(), RecordFormat.decode(b, off, len, app.name))));
            if (best.size() > query.limit()) {
                best.poll();
                evicted = true;
            }
        }
    }

    /** Whether a record lies beyond the time boundary (records on its near side were shown before). */
    private boolean pastTimeBoundary(long ts, long chunk, int index) {
        Cursor t = timeAfter;
        if (t == null) {
            return true;
        }
        int c = Cursor.byTime(ts, chunk, index, t.ts(), t.chunk(), t.index());
        return newestFirst ? c < 0 : c > 0;
    }

    private boolean matches(byte[] b, int off, int len) throws Stop {
        if (substring == null && regex == null) {
            return true;
        }
        long span = RecordFormat.messageSpan(b, off, off + len);
        int start = (int) span;
        int mlen = (int) (span >>> 32);
        if (substring != null) {
            return substring.contains(b, start, start + mlen);
        }
        String text = new String(b, start, mlen, java.nio.charset.StandardCharsets.UTF_8);
        try {
            return regex.matcher(new Budget.Deadlined(text, budget)).find();
        } catch (Budget.TimeUp e) {
            throw new Stop(Budget.TIME);
        }
    }

    /**
     * Splits a decompressed block ({@code (length:varint record)*}) into record offsets; throws
     * {@link IllegalArgumentException} when a length runs past the block or the block does not hold
     * the {@code expected} records its index entry counts.
     */
    private int splitVarint(byte[] b, int end, int expected) {
        int n = 0;
        int p = 0;
        while (p < end) {
            int len = 0;
            for (int shift = 0; ; shift += 7) {
                if (p >= end || shift > 28) {
                    throw new IllegalArgumentException("record length cut short at offset " + p);
                }
                int x = b[p++] & 0xff;
                len |= (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    break;
                }
            }
            if (len < RecordFormat.HEAD + 1 || len > end - p) {
                throw new IllegalArgumentException(
                        "record of " + len + " bytes at offset " + p + " does not fit a block of " + end);
            }
            if (n >= offsets.length) {
                offsets = grow(offsets);
                lengths = grow(lengths);
            }
            offsets[n] = p;
            lengths[n] = len;
            n++;
            p += len;
        }
        if (n != expected) {
            throw new IllegalArgumentException("block holds " + n + " records, its index entry " + expected);
        }
        return n;
    }

    private int[] grow(int[] a) {
        return java.util.Arrays.copyOf(a, a.length * 2);
    }

    /** Splits an active chunk's frames ({@code length:int32 crc:int32 record}) into record offsets. */
    private int splitFrames(byte[] b, int count) {
        int n = 0;
        int p = 0;
        while (n < count && p + ActiveChunk.FRAME_HEAD <= b.length) {
            int len = GrowableBuffer.getInt(b, p);
            if (n >= offsets.length) {
                offsets = grow(offsets);
                lengths = grow(lengths);
            }
            offsets[n] = p + ActiveChunk.FRAME_HEAD;
            lengths[n] = len;
            n++;
            p += ActiveChunk.FRAME_HEAD + len;
        }
        return n;
    }
}
