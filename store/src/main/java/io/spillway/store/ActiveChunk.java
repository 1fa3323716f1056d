package io.spillway.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * survive a crash of the host). Recovery ({@link #recover}) keeps the longest prefix of valid frames
 * and cuts the rest, so a torn tail or appended garbage costs only the frames it damaged, never a
 * frame that was synced before.
 *
 * <p>Not thread-safe: guarded by its {@link AppLog}'s monitor. The channel may be closed to bound
 * open files and is reopened on the next append.
 */
final class ActiveChunk {
    static final String SUFFIX = ".open";
    static final int FRAME_HEAD = 8;
    /** No frame is longer than this, whatever chunk_size says: recovery reads a frame's length first. */
    static final int MAX_FRAME = 256 * 1024 * 1024;

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

    /** What recovery found and cut. */
    record Recovery(ActiveChunk chunk, long cutBytes) {}

    /**
     * Opens an existing active chunk, keeping its valid prefix of frames and truncating the rest (a
     * torn write, or garbage). The file's modification time stands for its last write.
     */
    static Recovery recover(Path path, long id) throws IOException {
        ActiveChunk c = new ActiveChunk(id, path);
        byte[] all = Files.readAllBytes(path);
        int pos = 0;
        while (pos + FRAME_HEAD <= all.length) {
            int len = GrowableBuffer.getInt(all, pos);
            if (len < RecordFormat.HEAD + 1 || len > MAX_FRAME || len > all.length - pos - FRAME_HEAD) {
                break;
            }
            c.crc.reset();
            c.crc.update(all, pos + FRAME_HEAD, len);
            if ((int) c.crc.getValue() != GrowableBuffer.getInt(all, pos + 4)) {
                break;
            }
            int off = pos + FRAME_HEAD;
            long msg;
            try {
                msg = RecordFormat.messageSpan(all, off, off + len);
            } catch (IllegalArgumentException e) {
                break;
            }
            c.noteRecord(RecordFormat.timestamp(all, off), (int) (msg >>> 32));
            pos = off + len;
        }
        long cut = all.length - pos;
        FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.READ);
        if (cut > 0) {
            ch.truncate(pos);
            ch.force(true);
        }
        c.channel = ch;
        c.fileSize = pos;
        long mtime = Files.getLastModifiedTime(path).toMillis();
        c.firstWriteMillis = mtime;
        c.lastWriteMillis = mtime;
        return new Recovery(c, cut);
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
