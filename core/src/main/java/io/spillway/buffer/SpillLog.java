package io.spillway.buffer;

import io.spillway.record.LogRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Iterator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk part of one app's queue: its segments in FIFO order, {@code <dir>/<seq>.seg}, oldest first.
 * Appends go to the last segment until it reaches the segment size; reads start at the first segment
 * with unread records; a segment is deleted as soon as all its records are committed (delivered) or
 * it is shed.
 *
 * <p>Not thread-safe: used under the buffer's lock.
 */
final class SpillLog {
    private static final Logger log = LoggerFactory.getLogger(SpillLog.class);

    /** Sequence number of an app's first segment: leaves room below it for segments written at close. */
    static final long FIRST_SEQ = 1_000_000_000L;

    /** Reports records that can no longer be read (a corrupt batch found while delivering). */
    interface Loss {
        void lost(long records, long recordBytes, long messageBytes, Path segment, String problem);
    }

    /** Bytes of spill files of all apps of one buffer, kept by every log of that buffer. */
    static final class DiskUsage {
        long bytes;
    }

    final Path dir;
    private final DiskUsage usage;
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private long nextSeq = FIRST_SEQ;
    private long fileBytes;
    private long unread;

    SpillLog(Path dir, DiskUsage usage) {
        this.dir = dir;
        this.usage = usage;
    }

    private void grew(long delta) {
        fileBytes += delta;
        usage.bytes += delta;
    }

    /** Adds a recovered segment; call in ascending sequence order. */
    void addRecovered(Segment s) {
        s.seal();
        segments.addLast(s);
        grew(s.fileBytes);
        unread += s.records - s.readRecords;
        nextSeq = Math.max(nextSeq, s.seq + 1);
    }

    boolean isEmpty() {
        return segments.isEmpty();
    }

    long fileBytes() {
        return fileBytes;
    }

    /** Records on disk not yet handed out. */
    long unread() {
        return unread;
    }

    /** Bytes an append of a {@code batchBytes} batch adds to the disk (a new segment adds its header). */
    long appendCost(int batchBytes, long segmentSize) {
        Segment last = segments.peekLast();
        boolean fits = last != null && last.writable && last.fileBytes + batchBytes <= segmentSize;
        // An empty writable segment takes any batch, even one larger than the segment size.
        boolean alone = last != null && last.writable && last.records == 0;
        return batchBytes + (fits || alone ? 0 : Segment.HEADER_BYTES);
    }

    /**
     * Appends one batch, opening a new segment when the last is full or closed. Returns the segment
     * written, so the caller can force it.
     */
    Segment append(ByteBuffer batch, int count, long recBytes, long msgBytes, long segmentSize) throws IOException {
        int len = batch.remaining();
        Segment last = segments.peekLast();
        if (last == null || !last.writable || (last.records > 0 && last.fileBytes + len > segmentSize)) {
            if (last != null && last.writable) {
                // Full: force it once and let go of its file handle (reads reopen it), so an app
                // holds at most the handles of the segment it writes and the one being read.
                last.seal();
                last.force();
                last.close();
            }
            Files.createDirectories(dir);
            last = Segment.create(dir, nextSeq++);
            segments.addLast(last);
            grew(last.fileBytes);
        }
        long before = last.fileBytes;
        try {
            last.append(batch, count, recBytes, msgBytes);
        } finally {
            grew(last.fileBytes - before);
            if (last.records == 0) {
                // A new segment whose first write failed: an empty log part would hold back the
                // app's memory tail forever.
                remove(last);
            }
        }
        unread += count;
        return last;
    }

    /**
     * A new segment ordered before all others, for records older than the whole log (memory records
     * persisted at close). The caller appends batches to it with {@link #appendFirst}, then hands it
     * to {@link #addFirst} or {@link #abandonFirst}. Until then its bytes count in the buffer's disk
     * usage but not yet in this log's, so that the budget checks between its batches see them.
     */
    Segment createFirst() throws IOException {
        Segment first = segments.peekFirst();
        long seq = first == null ? nextSeq++ : first.seq - 1;
        Files.createDirectories(dir);
        Segment s = Segment.create(dir, seq);
        usage.bytes += s.fileBytes;
        return s;
    }

    /** Appends one batch to a segment of {@link #createFirst}; returns the bytes the file grew by. */
    long appendFirst(Segment s, ByteBuffer batch, int count, long recBytes, long msgBytes) throws IOException {
        long before = s.fileBytes;
        s.append(batch, count, recBytes, msgBytes);
        long grown = s.fileBytes - before;
        usage.bytes += grown;
        return grown;
    }

    /** Deletes a segment of {@link #createFirst} that took no record. */
    void abandonFirst(Segment s) {
        usage.bytes -= s.fileBytes;
        try {
            s.delete();
        } catch (IOException ignored) {
            // An empty segment is deleted by the next recovery.
        }
    }

    /** Puts a segment of {@link #createFirst} before all others, its records the first to deliver. */
    void addFirst(Segment s) {
        usage.bytes -= s.fileBytes;
        s.seal();
        segments.addFirst(s);
        grew(s.fileBytes);
        unread += s.records;
    }

    private @Nullable Segment reading() {
        for (Segment s : segments) {
            if (s.hasUnread()) {
                return s;
            }
        }
        return null;
    }

    /**
     * The next unread record, or null. A corrupt batch costs its own records, reported to {@code loss}:
     * reading resumes at the next valid batch ({@link Segment#skipDamage}); if even that fails, the
     * rest of the segment is given up.
     */
    @Nullable
    LogRecord peek(Loss loss) {
        while (true) {
            Segment s = reading();
            if (s == null) {
                return null;
            }
            try {
                return s.peek();
            } catch (IOException e) {
                String problem = e.getMessage() == null ? e.toString() : e.getMessage();
                Segment.Lost lost = null;
                if (e instanceof Segment.CorruptBatchException) {
                    try {
                        lost = s.skipDamage();
                    } catch (IOException again) {
                        problem += "; " + again;
                    }
                }
                if (lost == null) {
                    abandon(s, loss, problem);
                } else {
                    unread -= lost.records();
                    loss.lost(lost.records(), lost.recordBytes(), lost.messageBytes(), s.path, problem);
                    deleteIfDone(s);
                }
            }
        }
    }

    /** Hands out the record {@link #peek} returned. */
    LogRecord take(Loss loss) {
        Segment s = reading();
        if (s == null) {
            throw new IllegalStateException("no unread record on disk");
        }
        try {
            LogRecord r = s.take();
            unread--;
            return r;
        } catch (IOException e) {
            // peek() succeeded on the same cached batch just before, so this cannot happen.
            abandon(s, loss, String.valueOf(e.getMessage()));
            throw new IllegalStateException("record vanished between peek and take", e);
        }
    }

    private void abandon(Segment s, Loss loss, String problem) {
        long n = s.records - s.readRecords;
        long rb = s.recordBytes - s.readRecordBytes;
        long mb = s.messageBytes - s.readMessageBytes;
        s.abandonUnread();
        unread -= n;
        loss.lost(n, rb, mb, s.path, problem);
        deleteIfDone(s);
    }

    /** Forgets decoded batches (at the end of the app's turn), bounding memory to the app being served. */
    void dropCaches() {
        for (Segment s : segments) {
            s.dropCache();
        }
    }

    /** The first {@code n} handed-out records were delivered: deletes the segments they complete. */
    void commit(long n) {
        Iterator<Segment> it = segments.iterator();
        while (n > 0 && it.hasNext()) {
            Segment s = it.next();
            n -= s.commit(n);
        }
        if (n > 0) {
            throw new IllegalStateException(n + " more records committed than were handed out");
        }
        while (!segments.isEmpty() && segments.peekFirst().delivered()) {
            remove(segments.peekFirst());
        }
    }

    private void deleteIfDone(Segment s) {
        if (s.delivered()) {
            remove(s);
        }
    }

    /**
     * A segment that can be shed whole: nothing of it was handed out. {@code newest} looks only at
     * the last segment (the newest records), otherwise the oldest such segment.
     */
    @Nullable
    Segment sheddable(boolean newest) {
        if (newest) {
            Segment last = segments.peekLast();
            return last != null && last.readRecords == 0 && last.records > 0 ? last : null;
        }
        for (Segment s : segments) {
            if (s.readRecords == 0 && s.records > 0) {
                return s;
            }
        }
        return null;
    }

    @Nullable
    Segment first() {
        return segments.peekFirst();
    }

    /** Deletes a segment whose records were copied elsewhere (see {@code FairBuffer.close}). */
    void discard(Segment s) {
        unread -= s.records - s.readRecords;
        remove(s);
    }

    /** Deletes a segment none of whose records were handed out; returns the file bytes freed. */
    long shed(Segment s) {
        long freed = s.fileBytes;
        unread -= s.records;
        remove(s);
        return freed;
    }

    private void remove(Segment s) {
        segments.remove(s);
        grew(-s.fileBytes);
        try {
            s.delete();
        } catch (IOException e) {
            // The records are accounted as gone; a leftover file is found (and delivered again) by the
            // next recovery, which at-least-once allows.
            log.warn("cannot delete {}: {}", s.path, e.toString());
        }
    }

    /** Forces every segment and closes the files (at shutdown). */
    void closeAll(boolean force) {
        for (Segment s : segments) {
            if (force) {
                try {
                    s.force();
                } catch (IOException e) {
                    log.warn("cannot force {}: {}", s.path, e.toString());
                }
            }
            s.close();
        }
        if (force && !segments.isEmpty()) {
            forceDirectory(dir);
        }
    }

    /** Forces the directory entry of new segment files (Linux; elsewhere a no-op on failure). */
    static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Not every platform can open a directory; the file contents are forced regardless.
        }
    }
}
