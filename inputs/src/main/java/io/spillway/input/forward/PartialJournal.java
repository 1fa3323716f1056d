package io.spillway.input.forward;

import io.spillway.buffer.RecordCodec;
import io.spillway.record.LogRecord;
import io.spillway.space.Reservation;
import io.spillway.space.SpaceWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The durable journal of the partial messages a {@link PartialJoiner} holds: the parts it has
 * acknowledged but not yet delivered as a joined line. An append-only file of entries:
 *
 * <pre>
 * entry   := length:int32 crc:int32 type:u8 payload   length = 1 + payload's length; crc = CRC32C of type and payload
 * PART    := type 1, key:str ordinal:int32 last:u8 record   (record in {@link RecordCodec}'s form)
 * DONE    := type 2, key:str upTo:int32 final:u8            parts of key numbered up to upTo are delivered;
 *                                                          final: the line is complete, the key is finished
 * str     := length:int32 UTF-8 octets
 * </pre>
 *
 * <p>Invariants: an appended PART is durable once {@link #force} returns, and only then may the part be
 * acknowledged. {@link #open} reads entries in order up to the first one cut short, longer than {@link
 * #maxEntry} or failing its CRC, truncates the file there (the torn tail of a crash, or damage: what
 * follows damage cannot be trusted, and its length is reported as {@link Recovery#damagedBytes}), and
 * returns the parts not covered by a DONE. {@link #rewrite} replaces the file by one holding only the
 * given parts, atomically (temporary file, force, rename, force of the directory), so a crash leaves the
 * old journal or the new one. Every write reserves its bytes with the space accountant first; a refused
 * reservation writes nothing.
 *
 * <p>Not thread-safe: the joiner's one thread uses it.
 */
final class PartialJournal implements AutoCloseable {
    static final byte PART = 1;
    static final byte DONE = 2;
    /** Frame header: length and CRC. */
    static final int HEADER = 8;

    /** One journaled part. */
    record Part(String key, int ordinal, boolean last, LogRecord record) {}

    /** What {@link #open} found. */
    record Recovery(List<Part> live, Map<String, Integer> bases, long damagedBytes) {}

    private final Path file;
    private final SpaceWriter space;
    private final int maxEntry;
    private @Nullable FileChannel channel;
    private long size;

    /**
     * @param maxEntry the longest entry {@link #open} accepts (a length past it is damage)
     */
    PartialJournal(Path file, SpaceWriter space, int maxEntry) {
        this.file = file;
        this.space = space;
        this.maxEntry = maxEntry;
    }

    /** Opens (creating) the journal and recovers it; the file is cut after its last intact entry. */
    Recovery open() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        FileChannel ch =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        channel = ch;
        long length = ch.size();
        Map<String, TreeMap<Integer, Part>> parts = new LinkedHashMap<>();
        Map<String, Integer> bases = new LinkedHashMap<>();
        long pos = 0;
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (pos + HEADER <= length) {
            header.clear();
            readFully(ch, header, pos);
            header.flip();
            int len = header.getInt();
            int crc = header.getInt();
            if (len < 1 || len > maxEntry || pos + HEADER + len > length) {
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(len);
            readFully(ch, body, pos + HEADER);
            body.flip();
            if (crc(body.array(), 0, len) != crc) {
                break;
            }
            try {
                apply(body, parts, bases);
            } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
                break; // a valid CRC over a malformed entry: a bug or a forged file; stop trusting it here
            }
            pos += HEADER + len;
        }
        long damaged = length - pos;
        if (damaged > 0) {
            ch.truncate(pos);
            ch.force(true);
        }
        size = pos;
        List<Part> live = new ArrayList<>();
        for (TreeMap<Integer, Part> group : parts.values()) {
            live.addAll(group.values());
        }
        return new Recovery(live, bases, damaged);
    }

    private static void apply(ByteBuffer body, Map<String, TreeMap<Integer, Part>> parts, Map<String, Integer> bases) {
        byte type = body.get();
        String key = string(body);
        int ordinal = body.getInt();
        boolean flag = body.get() != 0;
        if (type == PART) {
            LogRecord r = RecordCodec.decode(body.slice());
            if (ordinal >= bases.getOrDefault(key, 1)) {
                parts.computeIfAbsent(key, k -> new TreeMap<>()).put(ordinal, new Part(key, ordinal, flag, r));
            }
        } else if (type == DONE) {
            TreeMap<Integer, Part> group = parts.get(key);
            if (group != null) {
                group.headMap(ordinal, true).clear();
                if (group.isEmpty()) {
                    parts.remove(key);
                }
            }
            if (flag) {
                bases.remove(key);
            } else {
                bases.put(key, ordinal + 1);
            }
        } else {
            throw new IllegalArgumentException("unknown journal entry type " + type);
        }
    }

    /**
     * Appends the parts (not yet durable: {@link #force} makes them so).
     *
     * @return false when the space accountant refused the write; nothing was written
     */
    boolean append(List<Part> batch) throws IOException {
        List<byte[]> entries = new ArrayList<>(batch.size());
        long total = 0;
        for (Part p : batch) {
            byte[] e = partEntry(p);
            entries.add(e);
            total += e.length;
        }
        return write(entries, total);
    }

    /**
     * Records that the parts of {@code key} numbered up to {@code upTo} were delivered; {@code last}: the
     * line is complete. Not forced: a DONE lost in a crash means the line is delivered again on start
     * (at least once), never lost.
     *
     * @return false when the space accountant refused the write
     */
    boolean done(String key, int upTo, boolean last) throws IOException {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + k.length + 4 + 1);
        b.put(DONE).putInt(k.length).put(k).putInt(upTo).put((byte) (last ? 1 : 0));
        byte[] e = frame(b.array());
        return write(List.of(e), e.length);
    }

    /** Makes every entry appended so far durable. */
    void force() throws IOException {
        channel().force(false);
    }

    /** Bytes in the journal. */
    long size() {
        return size;
    }

    /**
     * Replaces the journal by one holding only {@code live} (and the bases of groups whose earlier
     * parts were delivered); an empty {@code live} truncates the file instead.
     *
     * @return false when the space accountant refused the new file; the old one is kept
     */
    boolean rewrite(Collection<Part> live, Map<String, Integer> bases) throws IOException {
        FileChannel old = channel();
        if (live.isEmpty() && bases.isEmpty()) {
            old.truncate(0);
            old.force(true);
            size = 0;
            return true;
        }
        List<byte[]> entries = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, Integer> b : bases.entrySet()) {
            byte[] k = b.getKey().getBytes(StandardCharsets.UTF_8);
            ByteBuffer bb = ByteBuffer.allocate(1 + 4 + k.length + 4 + 1);
            bb.put(DONE).putInt(k.length).put(k).putInt(b.getValue() - 1).put((byte) 0);
            byte[] e = frame(bb.array());
            entries.add(e);
            total += e.length;
        }
        for (Part p : live) {
            byte[] e = partEntry(p);
            entries.add(e);
            total += e.length;
        }
        Reservation r = space.reserve(total);
        if (!r.granted()) {
            return false;
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            for (byte[] e : entries) {
                writeFully(out, ByteBuffer.wrap(e));
            }
            out.force(true);
        } catch (IOException e) {
            r.cancel();
            Files.deleteIfExists(tmp);
            throw e;
        }
        r.written(total);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(file.toAbsolutePath().getParent());
        old.close();
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        channel = ch;
        size = ch.size();
        return true;
    }

    @Override
    public void close() throws IOException {
        FileChannel ch = channel;
        channel = null;
        if (ch != null) {
            ch.close();
        }
    }

    private boolean write(List<byte[]> entries, long total) throws IOException {
        FileChannel ch = channel();
        Reservation r = space.reserve(total);
        if (!r.granted()) {
            return false;
        }
        long at = size;
        try {
            for (byte[] e : entries) {
                writeFully(ch, ByteBuffer.wrap(e), at);
                at += e.length;
            }
        } catch (IOException e) {
            // Cut what was half written, so the next entry does not follow a torn one.
            r.written(at - size);
            ch.truncate(size);
            throw e;
        }
        r.written(total);
        size = at;
        return true;
    }

    private static byte[] partEntry(Part p) {
        byte[] k = p.key().getBytes(StandardCharsets.UTF_8);
        byte[] rec = RecordCodec.encode(p.record());
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + k.length + 4 + 1 + rec.length);
        b.put(PART)
                .putInt(k.length)
                .put(k)
                .putInt(p.ordinal())
                .put((byte) (p.last() ? 1 : 0))
                .put(rec);
        return frame(b.array());
    }

    private static byte[] frame(byte[] body) {
        ByteBuffer e = ByteBuffer.allocate(HEADER + body.length);
        e.putInt(body.length).putInt(crc(body, 0, body.length)).put(body);
        return e.array();
    }

    private static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    private static String string(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("string of " + n + " bytes, " + b.remaining() + " left");
        }
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private FileChannel channel() throws IOException {
        FileChannel ch = channel;
        if (ch == null) {
            throw new IOException("partial journal " + file + " is not open");
        }
        return ch;
    }

    private static void readFully(FileChannel ch, ByteBuffer into, long pos) throws IOException {
        while (into.hasRemaining()) {
            int n = ch.read(into, pos);
            if (n < 0) {
                throw new IOException("journal shorter than its size");
            }
            pos += n;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer from, long pos) throws IOException {
        while (from.hasRemaining()) {
            pos += ch.write(from, pos);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer from) throws IOException {
        while (from.hasRemaining()) {
            ch.write(from);
        }
    }

    private static void forceDirectory(@Nullable Path dir) {
        if (dir == null) {
            return;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some filesystems cannot sync a directory; the rename is then as durable as they make it.
        }
    }
}
