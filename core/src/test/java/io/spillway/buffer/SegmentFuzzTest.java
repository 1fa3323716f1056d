package io.spillway.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spillway.FuzzRecords;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of spill segment recovery ({@link Segment#recover}), the buffer's reader of
 * files left on disk by a previous run.
 */
class SegmentFuzzTest {
    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("segment-fuzz");
            DIR.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Byte 0 is a mode: bit 0 puts the segment header in front, bit 1 rewrites every batch's CRC to
     * the right value (a forged file, so that decoding is reached past the checksum). Recovery never
     * throws on content: it keeps a valid prefix or nothing, the file is cut to exactly that prefix,
     * every record kept reads back (all at once and one by one), and recovering again changes nothing.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void recover_anyFile_keepsAValidPrefixAndIsIdempotent(byte[] data) throws IOException {
        if (data.length == 0) {
            return;
        }
        int mode = data[0];
        byte[] body = Arrays.copyOfRange(data, 1, data.length);
        if ((mode & 1) != 0) {
            byte[] withHeader = new byte[Segment.HEADER_BYTES + body.length];
            System.arraycopy(Segment.MAGIC, 0, withHeader, 0, Segment.HEADER_BYTES);
            System.arraycopy(body, 0, withHeader, Segment.HEADER_BYTES, body.length);
            body = withHeader;
        }
        if ((mode & 2) != 0) {
            fixCrcs(body);
        }
        Path file = DIR.resolve(Segment.fileName(1));
        Files.write(file, body);
        try {
            Segment.Recovery r = Segment.recover(file, 1);
            Segment s = r.segment();
            if (s == null) {
                // Nothing valid: the file is gone (to quarantine), and at most all of it was cut.
                assertThat(r.bytesCut()).isBetween(0L, (long) body.length);
                return;
            }
            try {
                // Recovery resynchronises past damage (the valid batches after it are kept too), so
                // what is kept is not a prefix; what holds whatever the damage: nothing cut means no
                // problem, and every record kept reads back, all at once and one by one.
                assertThat(r.bytesCut()).isBetween(0L, (long) body.length);
                if (r.bytesCut() == 0) {
                    assertThat(r.problem()).isNull();
                }
                List<LogRecord> all = s.readAll();
                assertThat((long) all.size()).isEqualTo(s.records).isPositive();
                List<LogRecord> oneByOne = new ArrayList<>();
                while (s.hasUnread()) {
                    oneByOne.add(s.take());
                }
                assertThat(oneByOne).isEqualTo(all);
            } finally {
                s.close();
            }
            Segment.Recovery again = Segment.recover(file, 1);
            Segment s2 = again.segment();
            assertThat(s2).isNotNull();
            try {
                assertThat(again.bytesCut()).isZero();
                assertThat(again.problem()).isNull();
                assertThat(s2.records).isEqualTo(s.records);
                assertThat(s2.recordBytes).isEqualTo(s.recordBytes);
            } finally {
                s2.close();
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Records appended in fuzzed batches, then the file torn at a fuzzed length or one byte flipped:
     * recovery keeps exactly the intact batches, record for record: those before a tear, and every
     * batch but the flipped one (it resynchronises past a damaged batch).
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void recover_tornOrFlippedFile_keepsExactlyTheIntactBatches(FuzzedDataProvider d) throws IOException {
        Path file = DIR.resolve(Segment.fileName(2));
        Files.deleteIfExists(file);
        List<List<LogRecord>> batches = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        Segment s = Segment.create(DIR, 2);
        try {
            int n = d.consumeInt(1, 6);
            for (int b = 0; b < n; b++) {
                List<LogRecord> batch = new ArrayList<>();
                List<byte[]> encoded = new ArrayList<>();
                int k = d.consumeInt(1, 4);
                for (int i = 0; i < k; i++) {
                    LogRecord r = FuzzRecords.record(d);
                    batch.add(r);
                    encoded.add(RecordCodec.encode(r));
                }
                s.append(Segment.encodeBatch(encoded), k, 0, 0);
                batches.add(batch);
                ends.add(s.fileBytes);
            }
        } finally {
            s.close();
        }
        long size = Files.size(file);
        long damageAt;
        if (d.consumeBoolean()) {
            damageAt = d.consumeLong(0, size);
            try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(damageAt);
            }
        } else {
            damageAt = d.consumeLong(0, size - 1);
            byte[] all = Files.readAllBytes(file);
            all[(int) damageAt] ^= (byte) d.consumeInt(1, 255);
            Files.write(file, all);
        }
        boolean torn = Files.size(file) < size;
        List<LogRecord> expected = new ArrayList<>();
        for (int b = 0; b < batches.size(); b++) {
            long start = b == 0 ? Segment.HEADER_BYTES : ends.get(b - 1);
            boolean intact = torn ? ends.get(b) <= damageAt : (damageAt < start || damageAt >= ends.get(b));
            if (intact) {
                expected.addAll(batches.get(b)); // resynchronised past a damaged batch (issue 12)
            }
        }
        if (!torn && damageAt < Segment.HEADER_BYTES) {
            // The file's own header damaged: recovery may keep every batch or none; it must not fail.
            try {
                Segment.Recovery r = Segment.recover(file, 2);
                if (r.segment() != null) {
                    r.segment().readAll();
                    r.segment().close();
                }
            } finally {
                Files.deleteIfExists(file);
            }
            return;
        }
        try {
            Segment.Recovery r = Segment.recover(file, 2);
            Segment got = r.segment();
            if (expected.isEmpty()) {
                assertThat(got).isNull();
                return;
            }
            assertThat(got).isNotNull();
            try {
                assertThat(got.readAll()).isEqualTo(expected);
            } finally {
                got.close();
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Walks {@code b} as a segment and sets each batch's CRC to what its bytes make. */
    static void fixCrcs(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        int at = Segment.HEADER_BYTES;
        while (at + Segment.BATCH_HEADER_BYTES <= b.length) {
            int payload = buf.getInt(at);
            if (payload < 0 || payload > b.length - at - Segment.BATCH_HEADER_BYTES) {
                return;
            }
            CRC32C crc = new CRC32C();
            crc.update(b, at + 4, 4);
            crc.update(b, at + Segment.BATCH_HEADER_BYTES, payload);
            buf.putInt(at + 8, (int) crc.getValue());
            at += Segment.BATCH_HEADER_BYTES + payload;
        }
    }
}
