package io.spillway.buffer;

import io.spillway.record.LogRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * One append-only spill segment file of one app, {@code <dir>/<app>/<seq>.seg}.
 *
 * <h2>On-disk format</h2>
 *
 * <pre>
 * segment := header batch*
 * header  := "SPWSEG" 0x00 0x01               (8 bytes: magic, format version 1)
 * batch   := payloadLength:int32 recordCount:int32 crc:int32 payload
 * payload := (length:varint record)*          (recordCount records, see {@link RecordCodec})
 * crc     := CRC32C of recordCount (4 bytes, big-endian) followed by the payload
 * </pre>
 *
 * <p>All integers are big-endian. A batch is written with one {@code write}, so a crash leaves at most
 * one torn batch at the end. A batch holds at least one record, and each record takes at least
 * {@value #MIN_RECORD_BYTES} payload bytes, so {@code 1 ≤ recordCount ≤ payloadLength / 16}: the
 * format has no sync marker (unchanged since version 1, so files of earlier versions read as they
 * are), and this bound with the CRC is what lets a reader find batch boundaries again.
 *
 * <h2>Recovery and damage</h2>
 *
 * {@link #recover} keeps every valid batch, not just the longest valid prefix: past a batch that fails
 * its checks it resynchronises at the next offset where a plausible header is followed by a payload
 * that passes its CRC and decodes (a byte-by-byte scan, {@link #scanBatches}), so a garbled batch
 * costs only that batch. A damaged tail (a torn write, garbage appended) is cut, its bytes copied to
 * the buffer's {@link Quarantine}; a file damaged elsewhere (a garbled header, a garbled batch in the
 * middle) is copied to the quarantine and rewritten with its valid batches only, so that the next
 * start does not count the same damage again; a file with no valid batch is moved there. The records
 * lost are counted per {@link Damage}: exactly where the damaged batches' headers survived, else
 * estimated (see {@link #recover}). Damage met while delivering ({@link #skipDamage}) is skipped the
 * same way, with an exact count.
 *
 * <h2>State</h2>
 *
 * Counters in records: {@code committed ≤ read ≤ records}. {@code read} records were handed out for
 * delivery; {@code committed} ones were delivered. The read position is the offset of the batch that
 * holds the next unread record plus how many of its records were already read; the decoded batch is
 * cached until {@link #dropCache} (so that only the app being served holds decoded records).
 *
 * <p>Not thread-safe: the buffer uses it under its lock, except {@link #force}, which may run
 * concurrently with appends (the channel allows it) and fails with a {@code ClosedChannelException}
 * once the segment is deleted, and {@link #forceDirectoriesOnce}, whose flag is volatile. Only this
 * class and its {@link SpillLog} change its counters, through {@link #append}, {@link #take},
 * {@link #commit} and {@link #seal}; the buffer reads them.
 */
final class Segment {
    static final byte[] MAGIC = {'S', 'P', 'W', 'S', 'E', 'G', 0, 1};
    static final int HEADER_BYTES = MAGIC.length;
    static final int BATCH_HEADER_BYTES = 12;
    /** A sanity bound on one batch, far above any real one (a batch is at most one memory budget). */
    static final int MAX_BATCH_PAYLOAD = 1 << 30;
    /** The smallest record in a payload: a 1-byte length and 15 bytes of {@link RecordCodec}. */
    static final int MIN_RECORD_BYTES = 16;
    /** Bytes per record assumed by loss estimates when a segment has no valid batch to learn from. */
    static final int ESTIMATE_RECORD_BYTES = 256;
    /** Bytes read at once by the resynchronising scan. */
    static final int RESYNC_WINDOW = 64 * 1024;
    /** A segment being rewritten without its damage; a leftover one is deleted at recovery. */
    static final String TMP_SUFFIX = ".tmp";

    final long seq;
    final Path path;
    private @Nullable FileChannel channel;

    long fileBytes;
    long records;
    long recordBytes;
    long messageBytes;
    long readRecords;
    long readRecordBytes;
    long readMessageBytes;
    long committedRecords;
    /** Appends go to this segment (the last one of its app). */
    boolean writable;
    /** Its directory entry was forced (once per new file, for {@code fsync: always|interval}). */
    volatile boolean dirForced;

    private long pos = HEADER_BYTES;
    private int skip;
    private @Nullable List<LogRecord> cache;
    private long cacheEnd;
    /** Damage found while delivering, skipped by reads: start offset to end offset. */
    private final Map<Long, Long> holes = new HashMap<>(0);

    private Segment(long seq, Path path) {
        this.seq = seq;
        this.path = path;
    }

    static String fileName(long seq) {
        return String.format(java.util.Locale.ROOT, "%020d.seg", seq);
    }

    /** Creates a new empty segment (header only), open for appends. */
    static Segment create(Path dir, long seq) throws IOException {
        Segment s = new Segment(seq, dir.resolve(fileName(seq)));
        FileChannel ch = FileChannel.open(
                s.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        s.channel = ch;
        try {
            writeFully(ch, ByteBuffer.wrap(MAGIC), 0);
        } catch (IOException e) {
            s.delete();
            throw e;
        }
        s.fileBytes = HEADER_BYTES;
        s.writable = true;
        return s;
    }

    /**
     * A stretch {@code [start, end)} of a segment that holds no valid batch. {@code records} is exact when
     * {@code exact}: the declared lengths of the damaged batches lead exactly from the start to the next
     * valid batch (or past the end of the file, for a torn last batch), so their headers survived and
     * their counts are trusted. Otherwise it is an estimate (see {@link #recover}).
     */
    record Damage(long start, long end, long records, long messageBytes, boolean exact) {
        long bytes() {
            return end - start;
        }
    }

    /** What recovery found in one segment file, and what it did with the damage. */
    record Recovery(
            @Nullable Segment segment,
            long bytesCut,
            @Nullable String problem,
            List<Damage> damage,
            @Nullable Path quarantined,
            boolean kept) {
        Recovery(@Nullable Segment segment, long bytesCut, @Nullable String problem) {
            this(segment, bytesCut, problem, List.of(), null, false);
        }

        long lostRecords() {
            return damage.stream().mapToLong(Damage::records).sum();
        }

        long lostMessageBytes() {
            return damage.stream().mapToLong(Damage::messageBytes).sum();
        }

        boolean exact() {
            return damage.stream().allMatch(Damage::exact);
        }
    }

    /**
     * Opens an existing segment and keeps every valid batch, resynchronising past damage (see {@link
     * #scanBatches}): a damaged tail is cut (its bytes copied to the quarantine), a file with damage
     * elsewhere is copied to the quarantine and rewritten with its valid batches only, a file with no
     * valid batch is moved there. Returns a null segment when nothing valid remains.
     *
     * <p>Records lost in a damaged stretch are counted exactly where the batch headers survived (see
     * {@link Damage}); elsewhere they are estimated from the stretch's bytes and the mean encoded
     * size of the segment's valid records (or {@value #ESTIMATE_RECORD_BYTES} bytes when it has
     * none), at least one record for a stretch between valid batches. A damaged tail with no
     * surviving header is counted as no records: it is what a crash leaves of a write that never
     * completed, or garbage appended, and holds no record anyone was told of.
     */
    static Recovery recover(Path path, long seq) throws IOException {
        // <dir>/<app>/<seq>.seg: the quarantine is <dir>/quarantine, unbounded in bytes here.
        Path appDir = path.toAbsolutePath().getParent();
        return recover(
                path,
                seq,
                new Quarantine(appDir.getParent(), Long.MAX_VALUE, bytes -> true),
                appDir.getFileName().toString());
    }

    /** See {@link #recover(Path, long)}; damaged bytes go to {@code quarantine}, under {@code app}. */
    static Recovery recover(Path path, long seq, Quarantine quarantine, String app) throws IOException {
        Segment s = new Segment(seq, path);
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        s.channel = ch;
        try {
            return s.scan(ch, quarantine, app);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private Recovery scan(FileChannel ch, Quarantine quarantine, String app) throws IOException {
        Segment s = this;
        long size = ch.size();
        if (size < HEADER_BYTES) {
            // A crash right after the file was created: no batch was ever written to it.
            s.close();
            return new Recovery(null, size, "torn segment header");
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        boolean headerOk = readFully(ch, header, 0) == HEADER_BYTES && Arrays.equals(header.array(), MAGIC);
        Scan scan = scanBatches(ch, HEADER_BYTES, size, !headerOk);
        s.records = scan.records;
        s.recordBytes = scan.recordBytes;
        s.messageBytes = scan.messageBytes;
        List<Damage> damage = scan.estimated();
        if (damage.isEmpty()) {
            s.fileBytes = size;
            s.close();
            return new Recovery(s.records == 0 ? null : s, 0, null);
        }
        long cut = damage.stream().mapToLong(Damage::bytes).sum();
        Path quarantined;
        if (s.records == 0) {
            s.close();
            quarantined = quarantine.moveOrDelete(path, app);
            return new Recovery(null, cut, scan.problem, damage, quarantined, false);
        }
        Damage last = damage.get(damage.size() - 1);
        if (damage.size() == 1 && headerOk && last.end() == size) {
            quarantined = keep(() ->
                    quarantine.copyRange(path, app, last.start(), size, path.getFileName() + ".tail-" + last.start()));
            ch.truncate(last.start());
            ch.force(true);
            s.fileBytes = last.start();
        } else if (quarantine.mayWrite(scan.encodedBytes + HEADER_BYTES)) {
            quarantined = keep(() -> quarantine.copy(path, app));
            s.close();
            s.fileBytes = rewrite(path, scan.valid);
        } else {
            // At the floor (G4) a rewrite may not write: the damage stays in the file, skipped by
            // reads, and is found (and counted) again by the next start.
            quarantined = null;
            for (Damage d : damage) {
                if (d.end() > HEADER_BYTES) {
                    s.holes.put(Math.max(d.start(), HEADER_BYTES), d.end());
                }
            }
            s.fileBytes = size;
        }
        s.close();
        return new Recovery(s, cut, scan.problem, damage, quarantined, true);
    }

    private interface Keep {
        @Nullable
        Path run() throws IOException;
    }

    /** A copy to the quarantine is evidence, not a condition of recovery: a failure only loses the copy. */
    private static @Nullable Path keep(Keep k) {
        try {
            return k.run();
        } catch (IOException e) {
            return null;
        }
    }

    /** Replaces the file with its header and the valid batches {@code valid} ([start, end) pairs). */
    private static long rewrite(Path path, List<long[]> valid) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + TMP_SUFFIX);
        long at = HEADER_BYTES;
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(
                        tmp,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
            writeFully(out, ByteBuffer.wrap(MAGIC), 0);
            out.position(HEADER_BYTES); // transferTo writes at the channel's position
            for (long[] v : valid) {
                long from = v[0];
                while (from < v[1]) {
                    long n = in.transferTo(from, v[1] - from, out);
                    if (n <= 0) {
                        throw new IOException(path + ": cannot copy bytes " + from + ".." + v[1]);
                    }
                    from += n;
                }
                at += v[1] - v[0];
            }
            out.force(true);
        }
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        SpillLog.forceDirectory(path.getParent());
        return at;
    }

    /** What {@link #scanBatches} found: totals of the valid batches, their spans, and the damage. */
    static final class Scan {
        long records;
        long recordBytes;
        long messageBytes;
        long encodedBytes;
        /** Spans [start, end) of valid batches, adjacent ones merged. */
        final List<long[]> valid = new ArrayList<>();
        /** Damaged stretches with the records their surviving headers declare (a lower bound unless exact). */
        final List<Damage> damage = new ArrayList<>();

        @Nullable
        String problem;

        /** The damage with estimates where counts are not exact (see {@link #recover}), in file order. */
        List<Damage> estimated() {
            double perRecord = records == 0 ? ESTIMATE_RECORD_BYTES : (double) encodedBytes / records;
            double msgPerRecord = records == 0 ? -1 : (double) messageBytes / records;
            List<Damage> out = new ArrayList<>(damage.size());
            for (Damage d : damage) {
                long n = d.records();
                if (!d.exact() && d.end() < fileEnd) {
                    n = Math.max(Math.max(n, 1), (long) Math.ceil(d.bytes() / perRecord));
                }
                long mb = msgPerRecord < 0
                        ? Math.min(d.bytes(), n * ESTIMATE_RECORD_BYTES)
                        : Math.round(n * msgPerRecord);
                out.add(new Damage(d.start(), d.end(), n, mb, d.exact()));
            }
            return out;
        }

        long fileEnd;
    }

    /**
     * Reads the batches in {@code [from, limit)}. Where one fails its checks, the scan resynchronises
     * at the next offset where a valid batch starts: a byte-by-byte scan for a plausible header (a
     * count of at least one record, a length that fits the count and the file) whose payload passes
     * its CRC and decodes. So one damaged batch costs that batch only, not the rest of the file.
     * {@code headerDamaged}: the file's magic is wrong, so the damage starts at offset 0.
     */
    static Scan scanBatches(FileChannel ch, long from, long limit, boolean headerDamaged) throws IOException {
        Scan s = new Scan();
        s.fileEnd = limit;
        long pos = from;
        long damageFrom = headerDamaged ? 0 : -1;
        while (pos < limit) {
            Batch b;
            try {
                b = readBatch(ch, pos, limit);
            } catch (CorruptBatchException e) {
                if (s.problem == null) {
                    s.problem = e.getMessage();
                }
                long next = resync(ch, pos + 1, limit);
                s.damage.add(damage(ch, damageFrom >= 0 ? damageFrom : pos, pos, next, limit));
                damageFrom = -1;
                pos = next;
                continue;
            }
            if (damageFrom >= 0) {
                // Only the file's magic was damaged.
                s.problem = "no valid segment header";
                s.damage.add(new Damage(damageFrom, pos, 0, 0, true));
                damageFrom = -1;
            }
            for (LogRecord r : b.records) {
                s.recordBytes += r.sizeBytes();
                s.messageBytes += r.messageLength();
            }
            s.records += b.records.size();
            s.encodedBytes += b.end - pos;
            long[] lastRun = s.valid.isEmpty() ? null : s.valid.get(s.valid.size() - 1);
            if (lastRun != null && lastRun[1] == pos) {
                lastRun[1] = b.end;
            } else {
                s.valid.add(new long[] {pos, b.end});
            }
            pos = b.end;
        }
        if (damageFrom >= 0) {
            // No valid header and no valid batch: what it held cannot be told (see Scan.estimated).
            s.problem = "no valid segment header and no valid batch";
            s.damage.add(new Damage(damageFrom, limit, 0, 0, false));
        }
        return s;
    }

    /** The offset of the next valid batch at or after {@code from}, or {@code limit} if there is none. */
    private static long resync(FileChannel ch, long from, long limit) throws IOException {
        ByteBuffer w = ByteBuffer.allocate(RESYNC_WINDOW);
        long wStart = 0;
        int wLen = 0;
        for (long q = from; q + BATCH_HEADER_BYTES <= limit; q++) {
            if (q + BATCH_HEADER_BYTES > wStart + wLen) {
                w.clear();
                wStart = q;
                wLen = readFully(ch, w, q);
                if (wLen < BATCH_HEADER_BYTES) {
                    break;
                }
            }
            int i = (int) (q - wStart);
            if (!plausible(w.getInt(i), w.getInt(i + 4), limit - q - BATCH_HEADER_BYTES)) {
                continue;
            }
            try {
                readBatch(ch, q, limit);
                return q;
            } catch (CorruptBatchException e) {
                // a header-like pattern inside the damage: keep looking
            }
        }
        return limit;
    }

    private static boolean plausible(int payload, int count, long room) {
        return count >= 1
                && payload <= MAX_BATCH_PAYLOAD
                && (long) count * MIN_RECORD_BYTES <= payload
                && payload <= room;
    }

    /**
     * The damage {@code [start, end)}: follows the declared lengths of batch headers from {@code chain}
     * and sums their counts while they stay plausible; exact when they lead to {@code end} (or past
     * the end of the file).
     */
    private static Damage damage(FileChannel ch, long start, long chain, long end, long limit) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(BATCH_HEADER_BYTES);
        long records = 0;
        long p = chain;
        while (p < end) {
            h.clear();
            if (end - p < 8 || readFully(ch, h, p) < 8) {
                break;
            }
            int payload = h.getInt(0);
            int count = h.getInt(4);
            if (!plausible(payload, count, Long.MAX_VALUE)) {
                break;
            }
            long next = p + BATCH_HEADER_BYTES + payload;
            if (next > end && end < limit) {
                break; // runs into the next valid batch: not a real header
            }
            records += count;
            p = next;
        }
        boolean exact = p == end || (p > end && end == limit);
        return new Damage(start, end, records, 0, exact);
    }

    /** The records a runtime resync gave up: see {@link #skipDamage}. */
    record Lost(long records, long recordBytes, long messageBytes) {}

    /**
     * After a batch at the read position failed its checks while delivering: resynchronises at the
     * next valid batch and marks the damage to be skipped. The records lost are exact: the unread
     * records the segment held minus those of the valid batches after the damage. Returns null when
     * the figures do not add up (the caller then gives up the rest of the segment).
     */
    @Nullable
    Lost skipDamage() throws IOException {
        Scan rest = scanBatches(channel(), pos, fileBytes, false);
        long n = records - readRecords - rest.records;
        long rb = recordBytes - readRecordBytes - rest.recordBytes;
        long mb = messageBytes - readMessageBytes - rest.messageBytes;
        if (rest.damage.isEmpty() || n <= 0 || rb < 0 || mb < 0) {
            return null;
        }
        for (Damage d : rest.damage) {
            holes.put(d.start(), d.end());
        }
        records -= n;
        recordBytes -= rb;
        messageBytes -= mb;
        cache = null;
        skip = 0;
        return new Lost(n, rb, mb);
    }

    /** {@code at}, or the end of the damage that starts there (damage found while delivering). */
    private long skipHoles(long at) {
        Long end = holes.get(at);
        while (end != null) {
            at = end;
            end = holes.get(at);
        }
        return at;
    }

    /** Encodes records as one batch, ready to {@link #append}. */
    static ByteBuffer encodeBatch(List<byte[]> encoded) {
        int payload = 0;
        for (byte[] e : encoded) {
            payload += RecordCodec.varintSize(e.length) + e.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(BATCH_HEADER_BYTES + payload);
        buf.putInt(payload);
        buf.putInt(encoded.size());
        buf.putInt(0);
        for (byte[] e : encoded) {
            RecordCodec.putVarint(buf, e.length);
            buf.put(e);
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 4, 4);
        crc.update(buf.array(), BATCH_HEADER_BYTES, payload);
        buf.putInt(8, (int) crc.getValue());
        buf.flip();
        return buf;
    }

    /**
     * Appends one batch at the end. On failure the file is cut back to its previous length, so a
     * failed write leaves no garbage behind valid batches; if even that fails, the segment stops
     * taking appends.
     */
    void append(ByteBuffer batch, int count, long recBytes, long msgBytes) throws IOException {
        FileChannel ch = channel();
        int len = batch.remaining();
        try {
            writeFully(ch, batch, fileBytes);
        } catch (IOException e) {
            try {
                ch.truncate(fileBytes);
            } catch (IOException suppressed) {
                writable = false;
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        fileBytes += len;
        records += count;
        recordBytes += recBytes;
        messageBytes += msgBytes;
    }

    /** Stops taking appends: the segment is full, recovered, or ordered before the others. */
    void seal() {
        writable = false;
    }

    /**
     * Marks up to {@code n} of the handed-out, not yet committed records as delivered; returns how
     * many it took, the rest belonging to later segments.
     */
    long commit(long n) {
        long k = Math.min(n, readRecords - committedRecords);
        committedRecords += k;
        return k;
    }

    /** Every record was delivered: the file can go. */
    boolean delivered() {
        return committedRecords == records;
    }

    /** Some records but not all were delivered: a restart would deliver the first ones again. */
    boolean partlyDelivered() {
        return committedRecords > 0 && committedRecords < records;
    }

    /**
     * Forces the directory entries of a new file, its app's directory and the buffer's, once per
     * segment: a forced file is found after power loss only if its name is. May run outside the
     * buffer's lock (the fsync thread); two threads racing here only force twice.
     */
    void forceDirectoriesOnce(Path bufferDir) {
        if (!dirForced) {
            SpillLog.forceDirectory(path.getParent());
            SpillLog.forceDirectory(bufferDir);
            dirForced = true;
        }
    }

    boolean hasUnread() {
        return readRecords < records;
    }

    /** The next unread record; the caller checked {@link #hasUnread}. */
    LogRecord peek() throws IOException {
        while (true) {
            List<LogRecord> c = cache;
            if (c == null) {
                pos = skipHoles(pos);
                Batch b = readBatch(channel(), pos, fileBytes);
                c = b.records;
                cache = c;
                cacheEnd = b.end;
            }
            if (skip < c.size()) {
                return c.get(skip);
            }
            pos = skipHoles(cacheEnd);
            skip = 0;
            cache = null;
            if (pos >= fileBytes) {
                throw new CorruptBatchException("segment " + path + " ends at " + fileBytes + " but "
                        + (records - readRecords) + " records are unread");
            }
        }
    }

    /** Hands out the record {@link #peek} returned. */
    LogRecord take() throws IOException {
        LogRecord r = peek();
        skip++;
        readRecords++;
        readRecordBytes += r.sizeBytes();
        readMessageBytes += r.messageLength();
        return r;
    }

    /** Every record of the segment, in order (for compaction at close; holds them all in memory). */
    List<LogRecord> readAll() throws IOException {
        List<LogRecord> all = new ArrayList<>();
        long at = skipHoles(HEADER_BYTES);
        while (at < fileBytes) {
            Batch b = readBatch(channel(), at, fileBytes);
            all.addAll(b.records);
            at = skipHoles(b.end);
        }
        return all;
    }

    /** Forgets decoded records; the next {@link #peek} reads the batch again. */
    void dropCache() {
        cache = null;
    }

    /** Marks the unread records as gone (after a read failure): they will never be read. */
    void abandonUnread() {
        records = readRecords;
        recordBytes = readRecordBytes;
        messageBytes = readMessageBytes;
        writable = false;
        cache = null;
    }

    void force() throws IOException {
        FileChannel ch = channel;
        if (ch != null) {
            ch.force(false);
        }
    }

    void close() {
        FileChannel ch = channel;
        channel = null;
        cache = null;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Closing a file we only read or already forced: nothing to lose.
            }
        }
    }

    void delete() throws IOException {
        close();
        Files.deleteIfExists(path);
    }

    private FileChannel channel() throws IOException {
        FileChannel ch = channel;
        if (ch == null) {
            ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            channel = ch;
        }
        return ch;
    }

    /** A decoded batch and the offset just after it. */
    private record Batch(List<LogRecord> records, long end) {}

    /** A batch that fails its checks: torn, corrupt or forged. */
    static final class CorruptBatchException extends IOException {
        CorruptBatchException(String message) {
            super(message);
        }
    }

    private static Batch readBatch(FileChannel ch, long at, long limit) throws IOException {
        if (limit - at < BATCH_HEADER_BYTES) {
            throw new CorruptBatchException("torn batch header at offset " + at);
        }
        ByteBuffer header = ByteBuffer.allocate(BATCH_HEADER_BYTES);
        if (readFully(ch, header, at) < BATCH_HEADER_BYTES) {
            throw new CorruptBatchException("torn batch header at offset " + at);
        }
        int payload = header.getInt(0);
        int count = header.getInt(4);
        int crc = header.getInt(8);
        if (payload < 0 || !plausible(payload, count, Long.MAX_VALUE)) {
            throw new CorruptBatchException(
                    "batch at offset " + at + " declares " + payload + " bytes and " + count + " records");
        }
        if (limit - at - BATCH_HEADER_BYTES < payload) {
            throw new CorruptBatchException("torn batch at offset " + at + ": " + payload + " bytes declared, "
                    + (limit - at - BATCH_HEADER_BYTES) + " present");
        }
        ByteBuffer body = ByteBuffer.allocate(payload);
        if (readFully(ch, body, at + BATCH_HEADER_BYTES) < payload) {
            throw new CorruptBatchException("torn batch at offset " + at);
        }
        CRC32C c = new CRC32C();
        c.update(header.array(), 4, 4);
        c.update(body.array(), 0, payload);
        if ((int) c.getValue() != crc) {
            throw new CorruptBatchException("CRC mismatch in batch at offset " + at);
        }
        List<LogRecord> out = new ArrayList<>(count);
        body.flip();
        try {
            for (int i = 0; i < count; i++) {
                int len = RecordCodec.getVarint(body);
                if (len > body.remaining()) {
                    throw new IllegalArgumentException("record length " + len + " exceeds the batch");
                }
                ByteBuffer slice =
                        ByteBuffer.wrap(body.array(), body.position(), len).slice();
                out.add(RecordCodec.decode(slice));
                body.position(body.position() + len);
            }
            if (body.hasRemaining()) {
                throw new IllegalArgumentException(body.remaining() + " bytes after the last record");
            }
        } catch (IllegalArgumentException e) {
            throw new CorruptBatchException("undecodable batch at offset " + at + ": " + e.getMessage());
        }
        return new Batch(out, at + BATCH_HEADER_BYTES + payload);
    }

    private static int readFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        int total = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, at + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        long p = at;
        while (buf.hasRemaining()) {
            p += ch.write(buf, p);
        }
    }
}
