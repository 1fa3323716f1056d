package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.FakeClock;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunks that pass every checksum but hold what the writer never makes (a forged file, or a writer bug):
 * found by {@link SealedChunkFuzzTest}; they failed queries or made them allocate gigabytes.
 */
class ForgedChunkTest {
    @TempDir
    Path dir;

    private static byte[] records(LogRecord... rs) {
        GrowableBuffer raw = new GrowableBuffer(256);
        GrowableBuffer one = new GrowableBuffer(256);
        for (LogRecord r : rs) {
            one.reset();
            RecordFormat.encode(r, r.messageBytes(), one);
            raw.putVarint(one.size());
            raw.put(one.array(), 0, one.size());
        }
        return java.util.Arrays.copyOf(raw.array(), raw.size());
    }

    private int query(byte[] chunk) throws IOException {
        Path app = Files.createDirectories(dir.resolve("app"));
        Files.write(app.resolve(SealedChunk.name(1) + SealedChunk.SUFFIX), chunk);
        LogStore s = LogStore.open(dir, Stores.small(), new Metrics(), FakeClock.ofEpochMilli(Stores.T0));
        try {
            return s.query(new Query("app", null, null, null, 100, Query.Order.OLDEST_FIRST, null))
                    .records()
                    .size();
        } finally {
            s.close();
        }
    }

    @Test
    void query_wellFormedForgedBlock_readsItsRecords() throws IOException {
        byte[] raw = records(Stores.record("app", 1, "one"), Stores.record("app", 2, "two"));
        assertThat(query(SealedChunkFuzzTest.forgedChunk(raw, 2))).isEqualTo(2);
    }

    @Test
    void query_recordLengthPastTheBlock_blockSkippedQueryAnswers() throws IOException {
        byte[] raw = records(Stores.record("app", 1, "one"));
        raw[0] = (byte) (raw[0] + 100); // the first record claims 100 bytes more than the block holds
        assertThat(query(SealedChunkFuzzTest.forgedChunk(raw, 1))).isZero();
    }

    @Test
    void query_recordShorterThanItsHead_blockSkippedQueryAnswers() throws IOException {
        assertThat(query(SealedChunkFuzzTest.forgedChunk(new byte[] {3, 'a', 'b', 'c'}, 1)))
                .isZero();
    }

    @Test
    void query_blockHoldsOtherCountThanItsIndex_blockSkippedQueryAnswers() throws IOException {
        byte[] raw = records(Stores.record("app", 1, "one"), Stores.record("app", 2, "two"));
        assertThat(query(SealedChunkFuzzTest.forgedChunk(raw, 7))).isZero();
    }

    @Test
    void open_blockClaimingTwoGibibytesRaw_refusedAsOutOfRange() throws IOException {
        // Found by SealedChunkFuzzTest (forged index, CRC recomputed): a block's raw length is the size
        // of the buffer a query allocates to decompress it, so it is held to what the writer can make.
        byte[] raw = records(Stores.record("app", 1, "one"));
        byte[] chunk = SealedChunkFuzzTest.forgedChunk(raw, 1);
        int entry = chunk.length - 12 - 44; // the one block entry, before the trailer
        byte[] forged = java.util.Arrays.copyOf(chunk, chunk.length);
        forged[entry + 12] = 0x7f; // rawLength := 0x7f.. (about 2 GiB)
        byte[] index = java.util.Arrays.copyOfRange(forged, entry - 48, chunk.length - 12);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(index);
        java.nio.ByteBuffer.wrap(forged).putInt(chunk.length - 8, (int) crc.getValue());
        Path file = dir.resolve(SealedChunk.name(3) + SealedChunk.SUFFIX);
        Files.write(file, forged);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SealedChunk.open(file, 3))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("out of range");
    }

    @Test
    void open_blockOffsetNear2pow63_refusedAsOutOfRange() throws IOException {
        // Found by SealedChunkFuzzTest (OutOfMemoryError with a 1 GiB heap): offset + compressedLength
        // overflowed past the range check, and reading the block allocated its 2 GiB length.
        byte[] chunk = SealedChunkFuzzTest.forgedChunk(records(Stores.record("app", 1, "one")), 1);
        int entry = chunk.length - 12 - 44;
        byte[] forged = java.util.Arrays.copyOf(chunk, chunk.length);
        java.nio.ByteBuffer.wrap(forged).putLong(entry, Long.MAX_VALUE - 16).putInt(entry + 8, Integer.MAX_VALUE);
        byte[] index = java.util.Arrays.copyOfRange(forged, entry - 48, chunk.length - 12);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(index);
        java.nio.ByteBuffer.wrap(forged).putInt(chunk.length - 8, (int) crc.getValue());
        Path file = dir.resolve(SealedChunk.name(4) + SealedChunk.SUFFIX);
        Files.write(file, forged);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SealedChunk.open(file, 4))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("out of range");
    }

    @Test
    void decode_indexClaimsMoreRawBytesThanTheFrameHolds_refusedBeforeAllocating() throws IOException {
        // Found by SealedChunkFuzzTest (a timeout: each read allocated the forged 160 MB raw length).
        byte[] raw = records(Stores.record("app", 1, "one"));
        byte[] compressed = com.github.luben.zstd.Zstd.compress(raw, 1);
        SealedChunk.Block forged = new SealedChunk.Block(4, compressed.length, 160 << 20, 0, 1, 0, 1, 0);
        try (var zstd = new com.github.luben.zstd.ZstdDecompressCtx()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> SealedChunk.decode(forged, compressed, zstd, new byte[0], new java.util.zip.CRC32C()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("its index says " + (160 << 20));
        }
    }
}
