package io.spillway.store;

import io.spillway.buffer.Quarantine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The one chunk of an app that is still written: {@code <id>.open}, a sequence of CRC-framed records.
 *
 * <pre>
 * file  := frame*
 * frame := length:int32(big-endian) crc:int32 (CRC-32C of record) record   (see {@link RecordFormat})
 * </pre>
 *
 * <p>Appends go to a small write buffer; {@link #flushToOs} hands it to the operating system (the
 * records then survive a crash of the process), {@link #sync} also forces the file to disk (they
 * survive a crash of the host). Recovery ({@link #recover}) keeps every valid frame, resynchronising
 * past damage, so a torn tail, appended garbage or bytes garbled in the middle cost only the frames
 * they cover (a torn tail is never a synced frame; garbage from outside can be).
 *
 * <p>Not thread-safe: guarded by its {@link AppLog}'s monitor. The channel may be closed to bound
 * open files and is reopened on the next append.
 */
final class ActiveChunk {
    static final String SUFFIX = ".open";
    static final int FRAME_HEAD = 8;
    /** No frame is longer than this, whatever chunk_size says: recovery reads a frame's length first. */
    static final int MAX_FRAME = 256 * 1024 * 1024;
    /** A chunk being rewritten without its damage; a leftover one is deleted at open. */
    static final String TMP_SUFFIX = ".tmp";
    /** Bytes per record assumed by loss estimates when a chunk has no valid frame to learn from. */
    static final int ESTIMATE_RECORD_BYTES = 256;

    private static final int WRITE_BUFFER = 64 * 1024;

    final long id;
    final Path path;
    private @Nullable FileChannel channel;
    private final GrowableBuffer pending = new GrowableBuffer(WRITE_BUFFER);
    private final CRC32C crc = new CRC32C();
    private long fileSize;
    private boolean unsynced;
    int count;
    long minTs = Long.MAX_VALUE;
    long maxTs = Long.MIN_VALUE;
    long messageBytes;
    long firstWriteMillis;
    long lastWriteMillis;
    /** Set by the seal thread when sealing failed; guarded by the app's monitor. */
    boolean sealFailed;

    private ActiveChunk(long id, Path path) {
        this.id = id;
        this.path = path;
    }

    static ActiveChunk create(Path dir, long id, long nowMillis) throws IOException {
        ActiveChunk c = new ActiveChunk(id, dir.resolve(SealedChunk.name(id) + SUFFIX));
        c.channel = FileChannel.open(
                c.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        c.firstWriteMillis = nowMillis;
        c.lastWriteMillis = nowMillis;
        return c;
    }

    /** A damaged stretch of a chunk file and the records it held; see {@link Damage#exact}. */
    record Damage(long start, long end, long records, long messageBytes, boolean exact) {
        long bytes() {
            return end - start;
        }
    }

    /**
     * What recovery found and did: the bytes cut, the damage, and where the damaged bytes went.
     * {@code records} of a damage are exact when the frame lengths from its start lead exactly to the
     * next valid frame (or past the end of the file, for a torn last frame); else estimated.
     */
    record Recovery(
            ActiveChunk chunk,
            long cutBytes,
            List<Damage> damage,
            @Nullable Path quarantined,
            boolean kept) {
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
     * Opens an existing active chunk and keeps every valid frame: past a frame that fails its checks
     * it resynchronises at the next offset where a plausible length is followed by a record that
     * passes its CRC, so garbage in the middle costs only the frames it covers. A damaged tail (a torn
     * write, garbage appended) is cut and its bytes copied to {@code quarantine}; a file damaged
     * elsewhere is copied there and rewritten with its valid frames (tmp + rename); a file with no
     * valid frame is moved there. Lost records are counted exactly where the damaged frames' lengths
     * survived, else estimated from the bytes and the mean valid frame (at least one between valid
     * frames; none for a tail without a surviving length, which is what a torn write or appended
     * garbage leaves). The file's modification time stands for its last write.
     */
    static Recovery recover(Path path, long id) throws IOException {
        // <store>/<app>/<id>.open: the quarantine is <store>/quarantine, unbounded in bytes here.
        Path appDir = path.toAbsolutePath().getParent();
        return recover(
                path,
                id,
                new Quarantine(appDir.getParent(), Long.MAX_VALUE, bytes -> true),
                appDir.getFileName().toString());
    }

    /** See {@link #recover(Path, long)}; damaged bytes go to {@code quarantine}, under {@code app}. */
    static Recovery recover(Path path, long id, Quarantine quarantine, String app) throws IOException {
        ActiveChunk c = new ActiveChunk(id, path);
        byte[] all = Files.readAllBytes(path);
        List<Damage> found = new ArrayList<>();
        ByteArrayOutputStream valid = new ByteArrayOutputStream(all.length);
        int pos = 0;
        int validFrames = 0;
        long validBytes = 0;
        while (pos < all.length) {
            int len = validFrame(all, pos, c.crc);
            if (len < 0) {
                int next = pos + 1;
                while (next < all.length && validFrame(all, next, c.crc) < 0) {
                    next++;
                }
                found.add(damage(all, pos, next));
                pos = next;
                continue;
            }
            int off = pos + FRAME_HEAD;
            c.noteRecord(
                    RecordFormat.timestamp(all, off), (int) (RecordFormat.messageSpan(all, off, off + len) >>> 32));
            valid.write(all, pos, FRAME_HEAD + len);
            validFrames++;
            validBytes += FRAME_HEAD + len;
            pos = off + len;
        }
        List<Damage> damage = estimate(found, all.length, validFrames, validBytes, c.messageBytes);
        long cut = damage.stream().mapToLong(Damage::bytes).sum();
        Path quarantined = null;
        boolean kept = false;
        if (!damage.isEmpty()) {
            Damage last = damage.get(damage.size() - 1);
            if (validFrames == 0) {
                quarantined = quarantine.moveOrDelete(path, app);
            } else if (damage.size() == 1 && last.end() == all.length) {
                quarantined = keep(() -> quarantine.copyRange(
                        path, app, last.start(), all.length, path.getFileName() + ".tail-" + last.start()));
                kept = true;
                try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                    ch.truncate(last.start());
                    ch.force(true);
                }
            } else if (!quarantine.mayWrite(validBytes)) {
                // At the floor (G4), no second file: the valid frames move forward in place (each frame
                // moves to a lower offset; a power loss during this write can cost frames it moves).
                kept = true;
                try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                    ByteBuffer b = ByteBuffer.wrap(valid.toByteArray());
                    long at = 0;
                    while (b.hasRemaining()) {
                        at += ch.write(b, at);
                    }
                    ch.truncate(validBytes);
                    ch.force(true);
                }
            } else {
                quarantined = keep(() -> quarantine.copy(path, app));
                kept = true;
                Path tmp = path.resolveSibling(path.getFileName() + TMP_SUFFIX);
                try (FileChannel ch = FileChannel.open(
                        tmp,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
                    ByteBuffer b = ByteBuffer.wrap(valid.toByteArray());
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                    ch.force(true);
                }
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                SealedChunk.forceDirectory(path.getParent());
            }
        }
        if (validFrames > 0) {
            c.channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.READ);
            c.fileSize = validBytes;
            long mtime = Files.getLastModifiedTime(path).toMillis();
            c.firstWriteMillis = mtime;
            c.lastWriteMillis = mtime;
        }
        return new Recovery(c, cut, damage, quarantined, kept);
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

    /** The record length of a valid frame at {@code pos}, or -1. */
    private static int validFrame(byte[] all, int pos, CRC32C crc) {
        if (all.length - pos < FRAME_HEAD) {
            return -1;
        }
        int len = GrowableBuffer.getInt(all, pos);
        if (len < RecordFormat.HEAD + 1 || len > MAX_FRAME || len > all.length - pos - FRAME_HEAD) {
            return -1;
        }
        int off = pos + FRAME_HEAD;
        int kind = all[off + 8] & 0xff;
        if ((kind >>> 4) >= RecordFormat.STREAM_COUNT || (kind & 0x0f) > 8) {
            return -1; // cheap before the CRC: not a stream/severity byte
        }
        crc.reset();
        crc.update(all, off, len);
        if ((int) crc.getValue() != GrowableBuffer.getInt(all, pos + 4)) {
            return -1;
        }
        try {
            RecordFormat.messageSpan(all, off, off + len);
        } catch (IllegalArgumentException e) {
            return -1;
        }
        return len;
    }

    /** Follows the frame lengths of {@code [start, end)} and counts them while they stay plausible. */
    private static Damage damage(byte[] all, int start, int end) {
        long records = 0;
        long p = start;
        while (p < end && end - p >= 4) {
            int len = GrowableBuffer.getInt(all, (int) p);
            if (len < RecordFormat.HEAD + 1 || len > MAX_FRAME) {
                break;
            }
            long next = p + FRAME_HEAD + len;
            if (next > end && end < all.length) {
                break; // runs into the next valid frame: not a real length
            }
            if (next > end) {
                // The last frame, cut by the end of the file: a write that a crash interrupted. A
                // frame is complete on disk once synced, so this one was not, and the buffer delivers
                // its record again (it leaves the buffer only after the store's sync): not a loss.
                p = next;
                break;
            }
            records++;
            p = next;
        }
        boolean exact = p == end || (p > end && end == all.length);
        return new Damage(start, end, records, 0, exact);
    }

    /** Estimates the records of damage whose count is not exact (see {@link #recover}). */
    private static List<Damage> estimate(List<Damage> found, int size, int frames, long frameBytes, long msgBytes) {
        double perRecord = frames == 0 ? ESTIMATE_RECORD_BYTES : (double) frameBytes / frames;
        List<Damage> out = new ArrayList<>(found.size());
        for (Damage d : found) {
            long n = d.records();
            if (!d.exact() && d.end() < size) {
                n = Math.max(Math.max(n, 1), (long) Math.ceil(d.bytes() / perRecord));
            }
            long mb = frames == 0
                    ? Math.min(d.bytes(), n * ESTIMATE_RECORD_BYTES)
                    : Math.round(n * (double) msgBytes / frames);
            out.add(new Damage(d.start(), d.end(), n, mb, d.exact()));
        }
        return out;
    }

    private void noteRecord(long ts, int msgLen) {
        count++;
        minTs = Math.min(minTs, ts);
        maxTs = Math.max(maxTs, ts);
        messageBytes += msgLen;
    }

    /** Appends one encoded record; returns its index in this chunk. */
    int append(byte[] rec, int off, int len, long ts, int msgLen, long nowMillis) throws IOException {
        crc.reset();
        crc.update(rec, off, len);
        pending.putInt(len);
        pending.putInt((int) crc.getValue());
        pending.put(rec, off, len);
        if (pending.size() >= WRITE_BUFFER) {
            flushToOs();
        }
        noteRecord(ts, msgLen);
        lastWriteMillis = nowMillis;
        unsynced = true;
        return count - 1;
    }

    /** Bytes of this chunk, including what still waits in the write buffer. */
    long size() {
        return fileSize + pending.size();
    }

    boolean isOpen() {
        return channel != null;
    }

    private FileChannel channel() throws IOException {
        FileChannel ch = channel;
        if (ch == null) {
            ch = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.READ);
            channel = ch;
        }
        return ch;
    }

    /** Hands buffered frames to the operating system. */
    void flushToOs() throws IOException {
        if (pending.size() == 0) {
            return;
        }
        FileChannel ch = channel();
        ByteBuffer b = ByteBuffer.wrap(pending.array(), 0, pending.size());
        long at = fileSize;
        while (b.hasRemaining()) {
            at += ch.write(b, at);
        }
        fileSize = at;
        pending.shrink(WRITE_BUFFER);
    }

    /** Flushes and forces the file to disk. */
    void sync() throws IOException {
        FileChannel ch = flushForSync();
        if (ch != null) {
            ch.force(false);
            unsynced = false;
        }
    }

    /**
     * The first half of a sync whose force runs elsewhere (the store forces many files at once):
     * flushes, and returns the channel to force, or null if nothing was appended since the last sync.
     * The caller calls {@link #synced} once the force succeeded.
     */
    @Nullable
    FileChannel flushForSync() throws IOException {
        flushToOs();
        return unsynced ? channel() : null;
    }

    /** Records that a force begun by {@link #flushForSync} succeeded (nothing was appended since). */
    void synced() {
        unsynced = false;
    }

    /**
     * Flushes and closes the channel without forcing it: for a chunk leaving the writer, which the seal
     * thread makes durable (as its sealed file) or the store's next sync forces by path.
     */
    void closeChannelUnforced() throws IOException {
        flushToOs();
        FileChannel ch = channel;
        channel = null;
        if (ch != null) {
            ch.close();
        }
    }

    /** Syncs and closes the channel; the next append reopens it. */
    void closeChannel() throws IOException {
        sync();
        FileChannel ch = channel;
        channel = null;
        if (ch != null) {
            ch.close();
        }
    }

    /** Every frame of the chunk: the file's bytes followed by the write buffer's. */
    byte[] readAll() throws IOException {
        byte[] out = new byte[(int) size()];
        if (fileSize > 0) {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                ByteBuffer b = ByteBuffer.wrap(out, 0, (int) fileSize);
                while (b.hasRemaining()) {
                    if (ch.read(b, b.position()) < 0) {
                        throw new IOException(path + " is shorter than the " + fileSize + " bytes written");
                    }
                }
            }
        }
        System.arraycopy(pending.array(), 0, out, (int) fileSize, pending.size());
        return out;
    }

    /** Closes without syncing (the chunk was sealed or is being deleted). */
    void closeQuietly() {
        FileChannel ch = channel;
        channel = null;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing left to lose: the chunk's records are sealed or evicted
            }
        }
    }
}
