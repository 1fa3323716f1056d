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
            GrowableBuffer index = new GrowableBuffer(INDEX_HEAD + ENTRY * blocks.size() + TRAILER);
            index.putInt(blocks.size());
            index.putInt(count);
            index.putLong(minTs);
            index.putLong(maxTs);
            index.putLong(rawBytes);
            index.putLong(messageBytes);
            index.putLong(lastWriteMillis);
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
            crc.reset();
            crc.update(index.array(), 0, indexLen);
            index.putInt(indexLen);
            index.putInt((int) crc.getValue());
            index.put(END_MAGIC, 0, END_MAGIC.length);
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
