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
 * <p>Not thread-safe: one per query.
 */
final class QueryRun {
    private static final Logger log = LoggerFactory.getLogger(QueryRun.class);

    /** How often (in records) the deadline is read outside regex matching. */
    private static final int CHECK_EVERY = 64;

    private final AppLog app;
    private final Query query;
    private final @Nullable Cursor after;
    private final Budget budget;
    private final StoreMetrics metrics;
    private final boolean newestFirst;
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
            int window) {
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
        this.budget = budget;
        this.metrics = metrics;
        this.newestFirst = query.order() == Query.Order.NEWEST_FIRST;
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
                    if (b.maxTs() < since || b.minTs() >= until || !rangeWanted(c.id, b.firstIndex(), b.lastIndex())) {
                        continue;
                    }
                    walk.add(new BlockRef(c, b));
                }
            } else {
                walk.add(o);
            }
        }
        items = walk;
        fetched = new Object[walk.size()];
        int consumed = 0;
        try {
            for (int i = 0; i < walk.size(); i++) {
                consumed = i;
                Object o = walk.get(i);
                if (o instanceof BlockRef r) {
                    sealedBlock(i, r);
                } else {
                    prefetch(i);
                    AppLog.ActiveView v = (AppLog.ActiveView) o;
                    aheadBytes -= v.frames().length;
                    activeChunk(v);
                }
            }
            consumed = walk.size();
        } catch (Stop s) {
            Cursor next =
                    s.reason == null ? cursorOfLastReturned() : lastChunk < 0 ? null : new Cursor(lastChunk, lastIndex);
            return new QueryResult(out, next == null ? query.cursor() : next.encode(), s.reason, budget.scanned);
        } finally {
            release(consumed + 1);
        }
        return new QueryResult(out, null, null, budget.scanned);
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
        if (after != null) {
            return newestFirst ? id <= after.chunk() : id >= after.chunk();
        }
        return true;
    }

    /** Whether the records [first, lastIndex] of chunk {@code id} can hold one after the cursor. */
    private boolean rangeWanted(long id, int first, int lastIndex) {
        if (after == null || id != after.chunk()) {
            return true;
        }
        return newestFirst ? first < after.index() : lastIndex > after.index();
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
        int edge = newestFirst ? firstIndex : firstIndex + count - 1;
        boolean afterCursor =
                after == null || chunk != after.chunk() || (newestFirst ? edge < after.index() : edge > after.index());
        if (afterCursor) {
            lastChunk = chunk;
            lastIndex = edge;
        }
        if (lastChunk >= 0 && budget.timeUp()) {
            throw new Stop(Budget.TIME);
        }
    }

    private void records(long chunk, int firstIndex, byte[] b, int count) throws Stop {
        for (int k = 0; k < count; k++) {
            int i = newestFirst ? count - 1 - k : k;
            int index = firstIndex + i;
            if (after != null && chunk == after.chunk()) {
                if (newestFirst ? index >= after.index() : index <= after.index()) {
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
            if (ts < since || ts >= until) {
                continue;
            }
            if (!matches(b, off, len)) {
                continue;
            }
            out.add(new StoredRecord(new Cursor(chunk, index).encode(), RecordFormat.decode(b, off, len, app.name)));
            if (out.size() >= query.limit()) {
                throw new Stop(null);
            }
        }
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
