package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.github.luben.zstd.ZstdDecompressCtx;
import io.spillway.FakeClock;
import io.spillway.FuzzRecords;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the sealed chunk reader ({@link SealedChunk#open}, {@link
 * SealedChunk#readCompressed}, {@link SealedChunk#decode}) and of the records in its blocks.
 */
class SealedChunkFuzzTest {
    private static final Path DIR;

    static {
        // The store logs every corrupt chunk and block it meets, which is every other input here:
        // millions of lines when fuzzing. The counters are what the tests look at.
        System.setProperty("org.slf4j.simpleLogger.log.io.spillway.store", "off");
        try {
            DIR = Files.createTempDirectory("chunk-fuzz");
            DIR.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Byte 0 is a mode: bit 0 appends a trailer whose index length and CRC are right for the bytes
     * before it (a forged file, so the index is parsed past its checksum). Opening fails only with
     * {@link IOException}; reading and decoding each block fails only with {@link IOException}; the
     * records of a block that decodes fail only with {@link IllegalArgumentException}.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void open_anyFile_typedErrorsOnly(byte[] data) throws IOException {
        if (data.length == 0) {
            return;
        }
        byte[] body = Arrays.copyOfRange(data, 1, data.length);
        if ((data[0] & 1) != 0) {
            body = withTrailer(body, data[0] >>> 1 & 0x7f);
        }
        Path file = DIR.resolve(SealedChunk.name(1) + SealedChunk.SUFFIX);
        Files.write(file, body);
        try {
            SealedChunk c;
            try {
                c = SealedChunk.open(file, 1);
            } catch (IOException e) {
                return;
            }
            readAll(c);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Records written as a sealed chunk (fuzzed records, zstd level and block cut) read back equal, in
     * order, with the chunk's count and time range.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void write_anyRecords_readBackEqual(FuzzedDataProvider d) throws IOException {
        List<LogRecord> records = new ArrayList<>();
        GrowableBuffer frames = new GrowableBuffer(1024);
        GrowableBuffer rec = new GrowableBuffer(256);
        CRC32C crc = new CRC32C();
        int n = d.consumeInt(1, 20);
        for (int i = 0; i < n; i++) {
            LogRecord r = FuzzRecords.record(d, "app");
            records.add(r);
            rec.reset();
            RecordFormat.encode(r, r.messageBytes(), rec);
            crc.reset();
            crc.update(rec.array(), 0, rec.size());
            frames.putInt(rec.size());
            frames.putInt((int) crc.getValue());
            frames.put(rec.array(), 0, rec.size());
        }
        int level = d.consumeInt(1, 19);
        byte[] all = Arrays.copyOf(frames.array(), frames.size());
        SealedChunk written = SealedChunk.write(DIR, 2, all, 1234L, level);
        try {
            SealedChunk c = SealedChunk.open(written.path, 2);
            assertThat(c.count).isEqualTo(n);
            assertThat(c.minTs)
                    .isEqualTo(records.stream()
                            .mapToLong(LogRecord::timestamp)
                            .min()
                            .orElseThrow());
            assertThat(c.maxTs)
                    .isEqualTo(records.stream()
                            .mapToLong(LogRecord::timestamp)
                            .max()
                            .orElseThrow());
            assertThat(c.lastWriteMillis).isEqualTo(1234L);
            List<LogRecord> back = readAll(c);
            assertThat(back).isEqualTo(records);
        } finally {
            Files.deleteIfExists(written.path);
        }
    }

    /**
     * A chunk whose one block holds fuzzed bytes, compressed and checksummed as the writer does (a
     * forged or buggy file that every check passes), queried through {@link LogStore} as the HTTP API
     * does, oldest or newest first, with or without a substring: the query answers (a block whose
     * records do not parse is skipped and counted, as a corrupt one is) and never fails.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void query_blockWithForgedRecords_answersWithoutFailing(byte[] data) throws IOException {
        if (data.length < 2) {
            return;
        }
        int count = data[0] & 0xff;
        Query.Order order = (data[1] & 1) == 0 ? Query.Order.OLDEST_FIRST : Query.Order.NEWEST_FIRST;
        Filter filter = (data[1] & 2) == 0 ? null : Filter.substring("a");
        byte[] raw = Arrays.copyOfRange(data, 2, data.length);
        Path store = Files.createTempDirectory(DIR, "store");
        Path app = Files.createDirectories(store.resolve("app"));
        Files.write(app.resolve(SealedChunk.name(1) + SealedChunk.SUFFIX), forgedChunk(raw, count));
        try {
            LogStore s = LogStore.open(
                    store, Stores.small(), new io.spillway.metrics.Metrics(), FakeClock.ofEpochMilli(Stores.T0));
            try {
                QueryResult r = s.query(new Query("app", null, null, filter, Query.MAX_LIMIT, order, null));
                assertThat(r.records())
                        .allSatisfy(sr -> assertThat(sr.record().app()).isEqualTo("app"));
            } finally {
                s.close();
            }
        } finally {
            try (var paths = Files.walk(store)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** A whole chunk file of one block holding {@code raw}, with every length and checksum right. */
    static byte[] forgedChunk(byte[] raw, int count) {
        byte[] compressed = com.github.luben.zstd.Zstd.compress(raw, 1);
        CRC32C crc = new CRC32C();
        crc.update(raw);
        GrowableBuffer out = new GrowableBuffer(compressed.length + 128);
        out.put(new byte[] {'S', 'P', 'W', '1'}, 0, 4);
        out.put(compressed, 0, compressed.length);
        int indexStart = out.size();
        out.putInt(1);
        out.putInt(count);
        out.putLong(Long.MIN_VALUE);
        out.putLong(Long.MAX_VALUE);
        out.putLong(raw.length);
        out.putLong(raw.length);
        out.putLong(Stores.T0);
        out.putLong(4);
        out.putInt(compressed.length);
        out.putInt(raw.length);
        out.putInt(0);
        out.putInt(count);
        out.putLong(Long.MIN_VALUE);
        out.putLong(Long.MAX_VALUE);
        out.putInt((int) crc.getValue());
        int indexLen = out.size() - indexStart;
        crc.reset();
        crc.update(out.array(), indexStart, indexLen);
        out.putInt(indexLen);
        out.putInt((int) crc.getValue());
        out.put(new byte[] {'S', 'P', 'W', 'E'}, 0, 4);
        return Arrays.copyOf(out.array(), out.size());
    }

    /** Reads every block and record of a chunk, checking that only the documented exceptions occur. */
    private static List<LogRecord> readAll(SealedChunk c) throws IOException {
        List<LogRecord> out = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(c.path, StandardOpenOption.READ);
                ZstdDecompressCtx zstd = new ZstdDecompressCtx()) {
            for (SealedChunk.Block b : c.blocks) {
                assertThat(b.rawLength()).as("raw block length").isLessThanOrEqualTo(SealedChunk.MAX_RAW_BLOCK);
                byte[] raw;
                try {
                    byte[] compressed = SealedChunk.readCompressed(ch, b);
                    raw = SealedChunk.decode(b, compressed, zstd, new byte[0], new CRC32C());
                } catch (IOException e) {
                    continue; // skipped and counted as corrupt by the query
                }
                try {
                    splitRecords(raw, b.rawLength(), out);
                } catch (IllegalArgumentException e) {
                    // a forged block whose CRC matches but whose records do not parse
                }
            }
        }
        return out;
    }

    /** Splits {@code (length:varint record)*} with every length checked, decoding each record. */
    private static void splitRecords(byte[] b, int end, List<LogRecord> out) {
        int p = 0;
        while (p < end) {
            int len = 0;
            for (int shift = 0; ; shift += 7) {
                if (p >= end || shift > 28) {
                    throw new IllegalArgumentException("length cut short");
                }
                int x = b[p++] & 0xff;
                len |= (x & 0x7f) << shift;
                if ((x & 0x80) == 0) {
                    break;
                }
            }
            if (len < 0 || len > end - p) {
                throw new IllegalArgumentException("record runs past the block");
            }
            out.add(RecordFormat.decode(b, p, len, "app"));
            p += len;
        }
    }

    /**
     * {@code body} + trailer: the last {@code blocks * 44 + 48} bytes (at most what there is) are
     * taken as the index, and the trailer gets their length, CRC and the end magic.
     */
    static byte[] withTrailer(byte[] body, int blocks) {
        int indexLen = Math.min(body.length, 48 + 44 * blocks);
        CRC32C crc = new CRC32C();
        crc.update(body, body.length - indexLen, indexLen);
        byte[] out = Arrays.copyOf(body, body.length + 12);
        int at = body.length;
        putInt(out, at, indexLen);
        putInt(out, at + 4, (int) crc.getValue());
        out[at + 8] = 'S';
        out[at + 9] = 'P';
        out[at + 10] = 'W';
        out[at + 11] = 'E';
        return out;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
