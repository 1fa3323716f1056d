package io.spillway.store;

import com.github.luben.zstd.ZstdDecompressCtx;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One query over one app's snapshot: walks chunks and blocks in the query's order, skipping those
 * whose time span misses the range or that lie before the cursor, decompresses the rest block by
 * block, and filters records (time, then substring on UTF-8 bytes or regex under the deadline).
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
    private byte[] blockBuffer = new byte[0];
    private int[] offsets = new int[256];
    private int[] lengths = new int[256];

    QueryRun(AppLog app, Query query, @Nullable Cursor after, Budget budget, StoreMetrics metrics) {
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
        try (ZstdDecompressCtx zstd = new ZstdDecompressCtx()) {
            CRC32C crc = new CRC32C();
            // One order by id over sealed and unsealed chunks (a chunk whose seal failed and waits for
            // a retry can be older than a sealed one).
            List<Object> chunks =
                    new ArrayList<>(snap.sealed().size() + snap.open().size());
            chunks.addAll(snap.sealed());
            chunks.addAll(snap.open());
            chunks.sort(java.util.Comparator.comparingLong(QueryRun::idOf));
            int n = chunks.size();
            for (int k = 0; k < n; k++) {
                Object o = chunks.get(newestFirst ? n - 1 - k : k);
                if (o instanceof SealedChunk c) {
                    sealedChunk(c, zstd, crc);
                } else {
                    activeChunk((AppLog.ActiveView) o);
                }
            }
        } catch (Stop s) {
            Cursor next =
                    s.reason == null ? cursorOfLastReturned() : lastChunk < 0 ? null : new Cursor(lastChunk, lastIndex);
            return new QueryResult(out, next == null ? query.cursor() : next.encode(), s.reason, budget.scanned);
        }
        return new QueryResult(out, null, null, budget.scanned);
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

    private void sealedChunk(SealedChunk c, ZstdDecompressCtx zstd, CRC32C crc) throws IOException, Stop {
        if (!chunkWanted(c.id, c.minTs, c.maxTs)) {
            return;
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(c.path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return; // evicted since the snapshot: it is before everything left
        }
        try (ch) {
            int n = c.blocks.length;
            for (int k = 0; k < n; k++) {
                SealedChunk.Block b = c.blocks[newestFirst ? n - 1 - k : k];
                if (b.maxTs() < since || b.minTs() >= until || !rangeWanted(c.id, b.firstIndex(), b.lastIndex())) {
                    continue;
                }
                if (!budget.mayScan(b.rawLength())) {
                    throw new Stop(Budget.BYTES);
                }
                byte[] raw;
                try {
                    raw = SealedChunk.readBlock(ch, b, zstd, blockBuffer, crc);
                } catch (IOException e) {
                    metrics.corrupt();
                    log.error("store: app {}: skipping a corrupt block of {}: {}", app.name, c.path, e.getMessage());
                    continue;
                }
                blockBuffer = raw;
                budget.scanned += b.rawLength();
                if (substring != null && !substring.contains(raw, 0, b.rawLength())) {
                    // Not in the block's bytes, so in none of its messages: skip it in one pass.
                    skipBlock(c.id, b.firstIndex(), b.count());
                    continue;
                }
                int count = splitVarint(raw, b.rawLength());
                records(c.id, b.firstIndex(), raw, count);
            }
        }
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

    /** Splits a decompressed block ({@code (length:varint record)*}) into record offsets. */
    private int splitVarint(byte[] b, int end) {
        int n = 0;
        int p = 0;
        while (p < end) {
            int len = 0;
            for (int shift = 0; ; shift += 7) {
                int x = b[p++] & 0xff;
                len |= (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    break;
                }
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
