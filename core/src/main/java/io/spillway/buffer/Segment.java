package io.spillway.buffer;

import io.spillway.record.LogRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
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
 * one torn batch at the end; {@link #recover} keeps the longest prefix of valid batches and truncates
 * the rest (Kafka {@code LogSegment.recover}).
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
 * once the segment is deleted.
 */
final class Segment {
    static final byte[] MAGIC = {'S', 'P', 'W', 'S', 'E', 'G', 0, 1};
    static final int HEADER_BYTES = MAGIC.length;
    static final int BATCH_HEADER_BYTES = 12;
    /** A sanity bound on one batch, far above any real one (a batch is at most one memory budget). */
    static final int MAX_BATCH_PAYLOAD = 1 << 30;

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

    /** What recovery found in one segment file. */
    record Recovery(
            @Nullable Segment segment,
            long bytesCut,
            @Nullable String problem) {}

    /**
     * Opens an existing segment, keeps its longest valid prefix and truncates the rest. Returns a
     * null segment when nothing valid remains (the caller deletes the file).
     */
    static Recovery recover(Path path, long seq) throws IOException {
        Segment s = new Segment(seq, path);
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        s.channel = ch;
        try {
            return s.scan(ch);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private Recovery scan(FileChannel ch) throws IOException {
        Segment s = this;
        long size = ch.size();
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        if (size < HEADER_BYTES
                || readFully(ch, header, 0) < HEADER_BYTES
                || !java.util.Arrays.equals(header.array(), MAGIC)) {
            s.close();
            return new Recovery(null, size, "no valid segment header");
        }
        long end = HEADER_BYTES;
        String problem = null;
        while (end < size) {
            Batch b;
            try {
                b = readBatch(ch, end, size);
            } catch (CorruptBatchException e) {
                problem = e.getMessage();
                break;
            }
            for (LogRecord r : b.records) {
                s.recordBytes += r.sizeBytes();
                s.messageBytes += r.messageLength();
            }
            s.records += b.records.size();
            end = b.end;
        }
        if (end < size) {
            ch.truncate(end);
            ch.force(true);
        }
        s.fileBytes = end;
        s.close();
        if (s.records == 0) {
            return new Recovery(null, size, problem);
        }
        return new Recovery(s, size - end, problem);
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

    boolean hasUnread() {
        return readRecords < records;
    }

    /** The next unread record; the caller checked {@link #hasUnread}. */
    LogRecord peek() throws IOException {
        while (true) {
            List<LogRecord> c = cache;
            if (c == null) {
                Batch b = readBatch(channel(), pos, fileBytes);
                c = b.records;
                cache = c;
                cacheEnd = b.end;
            }
            if (skip < c.size()) {
                return c.get(skip);
            }
            pos = cacheEnd;
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
        long at = HEADER_BYTES;
        while (at < fileBytes) {
            Batch b = readBatch(channel(), at, fileBytes);
            all.addAll(b.records);
            at = b.end;
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
        if (payload < 0 || payload > MAX_BATCH_PAYLOAD || count < 0 || count > payload) {
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
