package io.spillway.store;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * An immutable, zstd-compressed chunk {@code <id>.zst}, with its index kept in memory.
 *
 * <pre>
 * file    := magic "SPW1" block* index trailer
 * block   := one zstd frame; decompressed: (length:varint record)*   (records of {@link RecordFormat})
 * index   := blockCount:int32 count:int32 minTs:int64 maxTs:int64 rawBytes:int64 messageBytes:int64
 *            lastWrite:int64(epoch millis) blockEntry*
 * blockEntry := offset:int64 compressedLength:int32 rawLength:int32 firstIndex:int32 count:int32
 *            minTs:int64 maxTs:int64 crc:int32 (CRC-32C of the decompressed block)
 * trailer := indexLength:int32 indexCrc:int32 magic "SPWE"
 * </pre>
 *
 * <p>Blocks of about {@link #BLOCK_SIZE} raw bytes are compressed independently, so a time-range
 * query decompresses only the blocks whose [minTs, maxTs] meet its range, and a cursor seeks to its
 * block. A chunk file is written as {@code <id>.zst.tmp}, forced, renamed and the directory forced, so
 * a {@code .zst} file is always complete; a {@code .tmp} left by a crash is deleted at open (its
 * {@code .open} source is still there).
 *
 * <p>Immutable and thread-safe; each read opens its own channel, so a chunk deleted by retention
 * while a query reads it stays readable to that query (POSIX unlink semantics).
 */
final class SealedChunk {
    static final String SUFFIX = ".zst";
    static final String TMP_SUFFIX = ".zst.tmp";
    static final int BLOCK_SIZE = 256 * 1024;
    private static final byte[] MAGIC = {'S', 'P', 'W', '1'};
    private static final byte[] END_MAGIC = {'S', 'P', 'W', 'E'};
    private static final int TRAILER = 12;
    private static final int INDEX_HEAD = 48;
    private static final int ENTRY = 44;
    /**
     * The most a block can decompress to: the writer cuts a block once it reaches {@link #BLOCK_SIZE},
     * so the last record in it (a varint of at most 5 bytes and a frame of at most {@link
     * ActiveChunk#MAX_FRAME}) may run past that, by at most its own size.
     */
    static final int MAX_RAW_BLOCK = BLOCK_SIZE + 5 + ActiveChunk.MAX_FRAME;

    final long id;
    final Path path;
    final long fileSize;
    final int count;
    final long minTs;
    final long maxTs;
    final long rawBytes;
    final long messageBytes;
    final long lastWriteMillis;
    final Block[] blocks;

    /** One independently compressed block. */
    record Block(
            long offset,
            int compressedLength,
            int rawLength,
            int firstIndex,
            int count,
            long minTs,
            long maxTs,
            int crc) {
        int lastIndex() {
            return firstIndex + count - 1;
        }
    }

    private SealedChunk(
            long id,
            Path path,
            long fileSize,
            int count,
            long minTs,
            long maxTs,
            long rawBytes,
            long messageBytes,
            long lastWriteMillis,
            Block[] blocks) {
        this.id = id;
        this.path = path;
        this.fileSize = fileSize;
        this.count = count;
        this.minTs = minTs;
        this.maxTs = maxTs;
        this.rawBytes = rawBytes;
        this.messageBytes = messageBytes;
        this.lastWriteMillis = lastWriteMillis;
        this.blocks = blocks;
    }

    static String name(long id) {
        return String.format(Locale.ROOT, "%016x", id);
    }

    /** The chunk id named by a file name ({@code <16 hex digits><suffix>}), or -1. */
    static long idOf(String fileName, String suffix) {
        if (!fileName.endsWith(suffix) || fileName.length() != 16 + suffix.length()) {
            return -1;
        }
        try {
            return Long.parseUnsignedLong(fileName.substring(0, 16), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Writes the frames of an active chunk ({@code frames}, already validated) as a sealed chunk in
     * {@code dir}, durably (tmp, force, rename, force directory).
     */
    static SealedChunk write(Path dir, long id, byte[] frames, long lastWriteMillis, int level) throws IOException {
        Path tmp = dir.resolve(name(id) + TMP_SUFFIX);
        Path path = dir.resolve(name(id) + SUFFIX);
        List<Block> blocks = new ArrayList<>();
        GrowableBuffer raw = new GrowableBuffer(BLOCK_SIZE + 64 * 1024);
        byte[] compressed = new byte[0];
        CRC32C crc = new CRC32C();
        int count = 0;
        long minTs = Long.MAX_VALUE;
        long maxTs = Long.MIN_VALUE;
        long rawBytes = 0;
        long messageBytes = 0;
        try (FileChannel ch = FileChannel.open(
                        tmp,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE);
                ZstdCompressCtx zstd = new ZstdCompressCtx()) {
            zstd.setLevel(level);
            long offset = writeFully(ch, ByteBuffer.wrap(MAGIC), 0);
            int pos = 0;
            int blockFirst = 0;
            long bMin = Long.MAX_VALUE;
            long bMax = Long.MIN_VALUE;
            while (pos + ActiveChunk.FRAME_HEAD <= frames.length) {
                int len = GrowableBuffer.getInt(frames, pos);
                int off = pos + ActiveChunk.FRAME_HEAD;
                long ts = RecordFormat.timestamp(frames, off);
                messageBytes += RecordFormat.messageSpan(frames, off, off + len) >>> 32;
                raw.putVarint(len);
                raw.put(frames, off, len);
                bMin = Math.min(bMin, ts);
                bMax = Math.max(bMax, ts);
                count++;
                pos = off + len;
                boolean last = pos + ActiveChunk.FRAME_HEAD > frames.length;
                if (raw.size() >= BLOCK_SIZE || last) {
                    int bound = (int) Zstd.compressBound(raw.size());
                    if (compressed.length < bound) {
                        compressed = new byte[bound];
                    }
                    int clen = zstd.compressByteArray(compressed, 0, bound, raw.array(), 0, raw.size());
                    crc.reset();
                    crc.update(raw.array(), 0, raw.size());
                    blocks.add(new Block(offset, clen, raw.size(), blockFirst, count - blockFirst, bMin, bMax, (int)
                            crc.getValue()));
                    offset = writeFully(ch, ByteBuffer.wrap(compressed, 0, clen), offset);
                    rawBytes += raw.size();
                    minTs = Math.min(minTs, bMin);
                    maxTs = Math.max(maxTs, bMax);
                    blockFirst = count;
                    bMin = Long.MAX_VALUE;
                    bMax = Long.MIN_VALUE;
                    raw.reset();
                }
            }
            GrowableBuffer index = index(blocks, count, minTs, maxTs, rawBytes, messageBytes, lastWriteMillis);
            offset = writeFully(ch, ByteBuffer.wrap(index.array(), 0, index.size()), offset);
            ch.force(true);
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(dir);
            return new SealedChunk(
                    id,
                    path,
                    offset,
                    count,
                    minTs,
                    maxTs,
                    rawBytes,
                    messageBytes,
                    lastWriteMillis,
                    blocks.toArray(Block[]::new));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** The index and trailer of a chunk holding {@code blocks}. */
    private static GrowableBuffer index(
            List<Block> blocks, int count, long minTs, long maxTs, long rawBytes, long messageBytes, long lastWrite) {
        GrowableBuffer index = new GrowableBuffer(INDEX_HEAD + ENTRY * blocks.size() + TRAILER);
        index.putInt(blocks.size());
        index.putInt(count);
        index.putLong(minTs);
        index.putLong(maxTs);
        index.putLong(rawBytes);
        index.putLong(messageBytes);
        index.putLong(lastWrite);
        for (Block b : blocks) {
            index.putLong(b.offset());
            index.putInt(b.compressedLength());
            index.putInt(b.rawLength());
            index.putInt(b.firstIndex());
            index.putInt(b.count());
            index.putLong(b.minTs());
            index.putLong(b.maxTs());
            index.putInt(b.crc());
        }
        int indexLen = index.size();
        CRC32C crc = new CRC32C();
        crc.update(index.array(), 0, indexLen);
        index.putInt(indexLen);
        index.putInt((int) crc.getValue());
        index.put(END_MAGIC, 0, END_MAGIC.length);
        return index;
    }

    /** The blocks of this chunk that do not decompress or fail their CRC (reads every block). */
    List<Block> damagedBlocks() throws IOException {
        List<Block> bad = new ArrayList<>();
        CRC32C crc = new CRC32C();
        byte[] into = new byte[0];
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
                ZstdDecompressCtx zstd = new ZstdDecompressCtx()) {
            for (Block b : blocks) {
                try {
                    into = decode(b, readCompressed(ch, b), zstd, into, crc);
                } catch (IOException e) {
                    bad.add(b);
                }
            }
        }
        return bad;
    }

    /**
     * Writes this chunk without the blocks {@code bad} as {@code tmp}: the good blocks' bytes stay at
     * their offsets and keep their record indexes (so cursors stay valid), followed by a new index.
     * Its message bytes drop by the bad blocks' share of the raw bytes (the index keeps only the
     * chunk's total). The caller renames it over this chunk's file.
     */
    void writeWithout(List<Block> bad, Path tmp) throws IOException {
        List<Block> good = new ArrayList<>();
        int n = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        long raw = 0;
        long badRaw = 0;
        for (Block b : blocks) {
            if (bad.contains(b)) {
                badRaw += b.rawLength();
                continue;
            }
            good.add(b);
            n += b.count();
            min = Math.min(min, b.minTs());
            max = Math.max(max, b.maxTs());
            raw += b.rawLength();
        }
        long msg = rawBytes == 0 ? 0 : Math.round(messageBytes * (double) raw / (raw + badRaw));
        long indexStart = fileSize - TRAILER - (INDEX_HEAD + (long) ENTRY * blocks.length);
        GrowableBuffer index = index(good, n, min, max, raw, msg, lastWriteMillis);
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(
                        tmp,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
            long at = 0;
            while (at < indexStart) {
                long k = in.transferTo(at, indexStart - at, out);
                if (k <= 0) {
                    throw new IOException(path + ": cannot copy bytes " + at + ".." + indexStart);
                }
                at += k;
            }
            writeFully(out, ByteBuffer.wrap(index.array(), 0, index.size()), indexStart);
            out.force(true);
        }
    }

    /** The records of a block with a known record range lost: its count, and its estimated message bytes. */
    long estimatedMessageBytes(List<Block> bad) {
        long badRaw = 0;
        for (Block b : bad) {
            badRaw += b.rawLength();
        }
        return rawBytes == 0 ? 0 : Math.round(messageBytes * (double) badRaw / rawBytes);
    }

    /** What {@link #salvage} decoded of a chunk file whose index is unreadable. */
    record Salvage(byte[] frames, int records, long decodedBytes, long undecodedBytes) {}

    /** zstd's frame magic number, little-endian (RFC 8878 §3.1.1). */
    private static final int ZSTD_MAGIC = 0xFD2FB528;

    /**
     * Decodes what it can of a chunk file whose index or trailer is damaged: finds zstd frames by their
     * magic number, works out each frame's length from its block headers (RFC 8878 §3.1.1), and keeps
     * the records of every frame that decompresses and parses completely, in file order, as the frames
     * of an active chunk (for {@link #write}). Bounded: a frame may declare at most {@code maxRaw}
     * decompressed bytes.
     */
    static Salvage salvage(Path path, int maxRaw) throws IOException {
        byte[] all = Files.readAllBytes(path);
        GrowableBuffer frames = new GrowableBuffer(64 * 1024);
        CRC32C crc = new CRC32C();
        int records = 0;
        long decoded = 0;
        int decodedFrames = 0;
        int lastEnd = MAGIC.length;
        try (ZstdDecompressCtx zstd = new ZstdDecompressCtx()) {
            int pos = 0;
            while (pos + 4 <= all.length) {
                if (intLe(all, pos) != ZSTD_MAGIC) {
                    pos++;
                    continue;
                }
                int len = zstdFrameLength(all, pos);
                int got = len < 0 ? -1 : decodeFrame(all, pos, len, maxRaw, zstd, frames, crc);
                if (got < 0) {
                    pos++;
                    continue;
                }
                records += got;
                decoded += len;
                decodedFrames++;
                pos += len;
                lastEnd = pos;
            }
        }
        long undecoded = Math.max(0, all.length - MAGIC.length - decoded);
        // What follows the last decoded block starts with the index (one entry per block): not records.
        long index = INDEX_HEAD + (long) ENTRY * decodedFrames + TRAILER;
        if (all.length - lastEnd >= index) {
            undecoded -= index;
        }
        return new Salvage(java.util.Arrays.copyOf(frames.array(), frames.size()), records, decoded, undecoded);
    }

    /** Decompresses one frame and appends its records as active-chunk frames; -1 (nothing added) if it fails. */
    private static int decodeFrame(
            byte[] all, int at, int len, int maxRaw, ZstdDecompressCtx zstd, GrowableBuffer frames, CRC32C crc) {
        long size = Zstd.getFrameContentSize(all, at, len);
        if (size <= 0 || size > maxRaw) {
            return -1;
        }
        byte[] raw = new byte[(int) size];
        try {
            if (zstd.decompressByteArray(raw, 0, raw.length, all, at, len) != raw.length) {
                return -1;
            }
        } catch (RuntimeException e) {
            return -1;
        }
        int start = frames.size();
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        int n = 0;
        int p = 0;
        try {
            while (p < raw.length) {
                int v = 0;
                int shift = 0;
                int b;
                do {
                    if (p >= raw.length || shift > 28) {
                        throw new IllegalArgumentException("record length cut short");
                    }
                    b = raw[p++] & 0xff;
                    v |= (b & 0x7f) << shift;
                    shift += 7;
                } while ((b & 0x80) != 0);
                if (v < RecordFormat.HEAD + 1 || v > raw.length - p) {
                    throw new IllegalArgumentException("record length " + v + " out of range");
                }
                RecordFormat.decode(raw, p, v, "salvage");
                long ts = RecordFormat.timestamp(raw, p);
                min = Math.min(min, ts);
                max = Math.max(max, ts);
                crc.reset();
                crc.update(raw, p, v);
                frames.putInt(v);
                frames.putInt((int) crc.getValue());
                frames.put(raw, p, v);
                p += v;
                n++;
            }
        } catch (IllegalArgumentException e) {
            frames.truncate(start);
            return -1;
        }
        // Blocks carry no zstd checksum, so garbage in a block's literals decompresses without error.
        // Where the block's index entry survived (its offset, length, size, count and time span match
        // what was decoded), its CRC of the decompressed bytes decides; a damaged entry cannot.
        int entry = indexEntry(all, at, len);
        if (entry >= 0
                && GrowableBuffer.getInt(all, entry + 12) == raw.length
                && GrowableBuffer.getInt(all, entry + 20) == n
                && GrowableBuffer.getLong(all, entry + 24) == min
                && GrowableBuffer.getLong(all, entry + 32) == max) {
            crc.reset();
            crc.update(raw, 0, raw.length);
            if ((int) crc.getValue() != GrowableBuffer.getInt(all, entry + 40)) {
                frames.truncate(start);
                return -1;
            }
        }
        return n;
    }

    /** Where the index entry of the block at {@code at} of {@code len} bytes lies (after the block), or -1. */
    private static int indexEntry(byte[] all, int at, int len) {
        for (int e = at + len; e + ENTRY <= all.length; e++) {
            if (GrowableBuffer.getLong(all, e) == at && GrowableBuffer.getInt(all, e + 8) == len) {
                return e;
            }
        }
        return -1;
    }

    private static int intLe(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    /** The length of the zstd frame at {@code at} from its header and block headers, or -1 (RFC 8878 §3.1.1). */
    static int zstdFrameLength(byte[] b, int at) {
        int p = at + 4;
        if (p >= b.length) {
            return -1;
        }
        int fhd = b[p++] & 0xff;
        int fcsFlag = fhd >>> 6;
        boolean single = (fhd & 0x20) != 0;
        boolean checksum = (fhd & 0x04) != 0;
        int didFlag = fhd & 0x03;
        if ((fhd & 0x08) != 0) {
            return -1; // reserved bit
        }
        p += single ? 0 : 1;
        p += didFlag == 0 ? 0 : didFlag == 1 ? 1 : didFlag == 2 ? 2 : 4;
        p += fcsFlag == 0 ? (single ? 1 : 0) : fcsFlag == 1 ? 2 : fcsFlag == 2 ? 4 : 8;
        while (true) {
            if (p + 3 > b.length) {
                return -1;
            }
            int h = (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16;
            p += 3;
            boolean last = (h & 1) != 0;
            int type = (h >>> 1) & 3;
            int size = h >>> 3;
            if (type == 3) {
                return -1;
            }
            p += type == 1 ? 1 : size;
            if (p > b.length) {
                return -1;
            }
            if (last) {
                break;
            }
        }
        p += checksum ? 4 : 0;
        return p > b.length ? -1 : p - at;
    }

    /** Reads a chunk's index; throws {@link IOException} if the file is not a complete chunk. */
    static SealedChunk open(Path path, long id) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < MAGIC.length + INDEX_HEAD + TRAILER) {
                throw new IOException(path + ": " + size + " bytes is too short for a chunk");
            }
            byte[] trailer = readFully(ch, size - TRAILER, TRAILER);
            if (!java.util.Arrays.equals(trailer, 8, 12, END_MAGIC, 0, 4)) {
                throw new IOException(path + ": no end marker");
            }
            int indexLen = GrowableBuffer.getInt(trailer, 0);
            if (indexLen < INDEX_HEAD || indexLen > size - TRAILER - MAGIC.length) {
                throw new IOException(path + ": index length " + indexLen + " out of range");
            }
            byte[] index = readFully(ch, size - TRAILER - indexLen, indexLen);
            CRC32C crc = new CRC32C();
            crc.update(index);
            if ((int) crc.getValue() != GrowableBuffer.getInt(trailer, 4)) {
                throw new IOException(path + ": index CRC mismatch");
            }
            int n = GrowableBuffer.getInt(index, 0);
            if (n < 0 || INDEX_HEAD + (long) n * ENTRY != indexLen) {
                throw new IOException(path + ": block count " + n + " does not match the index length");
            }
            Block[] blocks = new Block[n];
            long indexStart = size - TRAILER - indexLen;
            for (int i = 0; i < n; i++) {
                int at = INDEX_HEAD + i * ENTRY;
                Block b = new Block(
                        GrowableBuffer.getLong(index, at),
                        GrowableBuffer.getInt(index, at + 8),
                        GrowableBuffer.getInt(index, at + 12),
                        GrowableBuffer.getInt(index, at + 16),
                        GrowableBuffer.getInt(index, at + 20),
                        GrowableBuffer.getLong(index, at + 24),
                        GrowableBuffer.getLong(index, at + 32),
                        GrowableBuffer.getInt(index, at + 40));
                if (b.offset() < MAGIC.length
                        || b.compressedLength() < 0
                        || b.rawLength() < 0
                        || b.rawLength() > MAX_RAW_BLOCK
                        // Not offset + length > indexStart: a forged offset near 2^63 overflows that
                        // sum, and readCompressed then allocates the (up to 2 GiB) length.
                        || b.compressedLength() > indexStart - b.offset()) {
                    throw new IOException(path + ": block " + i + " out of range");
                }
                blocks[i] = b;
            }
            return new SealedChunk(
                    id,
                    path,
                    size,
                    GrowableBuffer.getInt(index, 4),
                    GrowableBuffer.getLong(index, 8),
                    GrowableBuffer.getLong(index, 16),
                    GrowableBuffer.getLong(index, 24),
                    GrowableBuffer.getLong(index, 32),
                    GrowableBuffer.getLong(index, 40),
                    blocks);
        }
    }

    /** Reads a block's compressed bytes. */
    static byte[] readCompressed(FileChannel ch, Block b) throws IOException {
        return readFully(ch, b.offset(), b.compressedLength());
    }

    /**
     * Decompresses a block's compressed bytes into {@code into} (or a new array if it is too small) and
     * checks its CRC; returns the array holding the block's records at [0, rawLength).
     */
    static byte[] decode(Block b, byte[] compressed, ZstdDecompressCtx zstd, byte[] into, CRC32C crc)
            throws IOException {
        // The zstd frame header states its content size (the writer's frames always do): a block whose
        // index claims another raw length is refused before a buffer of that length is allocated
        // (found by SealedChunkFuzzTest: a forged 160 MB raw length cost a 160 MB array per read).
        long declared;
        try {
            declared = Zstd.getFrameContentSize(compressed);
        } catch (RuntimeException e) {
            declared = -1; // not a readable frame header: decompression below says what is wrong
        }
        if (declared >= 0 && declared != b.rawLength()) {
            throw new IOException("block at " + b.offset() + " is a zstd frame of " + declared
                    + " bytes, its index says " + b.rawLength());
        }
        byte[] out = into.length >= b.rawLength() ? into : new byte[b.rawLength()];
        int n;
        try {
            n = zstd.decompressByteArray(out, 0, b.rawLength(), compressed, 0, compressed.length);
        } catch (RuntimeException e) {
            throw new IOException("block at " + b.offset() + " does not decompress: " + e.getMessage(), e);
        }
        crc.reset();
        crc.update(out, 0, b.rawLength());
        if (n != b.rawLength() || (int) crc.getValue() != b.crc()) {
            throw new IOException("block at " + b.offset() + " fails its CRC");
        }
        return out;
    }

    static byte[] readFully(FileChannel ch, long at, int len) throws IOException {
        byte[] out = new byte[len];
        ByteBuffer b = ByteBuffer.wrap(out);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new IOException("unexpected end of file at " + (at + b.position()));
            }
        }
        return out;
    }

    private static long writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            at += ch.write(b, at);
        }
        return at;
    }

    /** Forces a directory's entries (creations, renames, deletions) to disk. */
    static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some filesystems refuse to fsync a directory; the rename is still atomic there.
            if (!String.valueOf(e.getMessage()).contains("Is a directory")) {
                throw e;
            }
        }
    }
}
