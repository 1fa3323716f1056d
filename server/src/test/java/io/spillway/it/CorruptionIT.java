package io.spillway.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * G3 for corruption, end to end: a buffer spill segment and a store chunk, written in their on-disk
 * formats and garbled, are found by a real process at start. The records outside the damage are
 * delivered, the lost ones are counted per app with reason {@code corrupt} in {@code /metrics}, a
 * marker reaches each app's stream, and the damaged files are in {@code quarantine/}.
 */
class CorruptionIT {
    private static final int BATCHES = 5;
    private static final int PER_BATCH = 20;

    @TempDir
    Path dir;

    @Test
    void start_garbledSegmentAndChunk_restDelivered_lossCountedMarkedAndQuarantined() throws Exception {
        Path data = dir.resolve("data");
        Path segment = data.resolve("buffer/file/ita/00000000001000000000.seg");
        Files.createDirectories(segment.getParent());
        Files.write(segment, segment("ita"));
        Path chunk = data.resolve("store/itb/0000000000000000.open");
        Files.createDirectories(chunk.getParent());
        Files.write(chunk, chunk("itb", 30, 10));

        try (SpillwayProcess p = SpillwayProcess.start(dir, "--set", "guard.markers.interval=1s")) {
            String corruptA = "spillway_dropped_records_total{app=\"ita\",reason=\"corrupt\"}";
            String corruptB = "spillway_dropped_records_total{app=\"itb\",reason=\"corrupt\"}";
            Path file = p.dataDir.resolve("files/ita.log");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            String lines = "";
            while (System.nanoTime() < deadline) {
                lines = Files.exists(file) ? Files.readString(file) : "";
                if (lines.contains("lost to corrupt buffer spill files")) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(lines)
                    .as(p.output())
                    .contains("dropped 20 lines")
                    .contains("lost to corrupt buffer spill files");
            List<Integer> seqs = new ArrayList<>();
            for (String l : lines.split("\n")) {
                int i = l.indexOf("ita seq=");
                if (i >= 0) {
                    seqs.add(Integer.parseInt(l.substring(i + 8).trim()));
                }
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < BATCHES * PER_BATCH; i++) {
                if (i / PER_BATCH != 2) {
                    expected.add(i);
                }
            }
            assertThat(seqs).isEqualTo(expected);
            assertThat(p.metric(corruptA)).isEqualTo(PER_BATCH);
            assertThat(p.metric(corruptB)).isEqualTo(1);
            // The store wrote its own marker into itb's stream (its active chunk is not compressed).
            String stored = new String(Files.readAllBytes(chunk), StandardCharsets.ISO_8859_1);
            assertThat(stored).contains("spillway: lost 1 record").contains("quarantine/itb/");
        }
        assertThat(files(data.resolve("buffer/file/quarantine/ita"))).hasSize(1);
        assertThat(files(data.resolve("store/quarantine/itb"))).hasSize(1);
    }

    private static List<Path> files(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }

    /** A spill segment (see {@code buffer.Segment}) of app {@code app} whose third batch is garbled. */
    private static byte[] segment(String app) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'S', 'P', 'W', 'S', 'E', 'G', 0, 1});
        for (int b = 0; b < BATCHES; b++) {
            ByteArrayOutputStream payload = new ByteArrayOutputStream();
            for (int i = 0; i < PER_BATCH; i++) {
                byte[] r = bufferRecord(app, app + " seq=" + (b * PER_BATCH + i));
                varint(payload, r.length);
                payload.writeBytes(r);
            }
            byte[] p = payload.toByteArray();
            CRC32C crc = new CRC32C();
            crc.update(ByteBuffer.allocate(4).putInt(PER_BATCH).array());
            crc.update(p);
            if (b == 2) {
                p[p.length / 2] ^= 0x5A; // garbled after the CRC was taken
                p[p.length / 2 + 1] ^= 0x5A;
            }
            out.writeBytes(ByteBuffer.allocate(12)
                    .putInt(p.length)
                    .putInt(PER_BATCH)
                    .putInt((int) crc.getValue())
                    .array());
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** {@code buffer.RecordCodec}: ts, stream, severity, host, app, source, message, no fields. */
    private static byte[] bufferRecord(String app, String message) {
        ByteArrayOutputStream r = new ByteArrayOutputStream();
        r.writeBytes(ByteBuffer.allocate(8).putLong(1_760_000_000_000_000_000L).array());
        r.write(0);
        r.write(0);
        string(r, "h");
        string(r, app);
        string(r, "src");
        string(r, message);
        varint(r, 0);
        return r.toByteArray();
    }

    /** An active store chunk (see {@code store.ActiveChunk}) of {@code n} records, record {@code bad} garbled. */
    private static byte[] chunk(String app, int n, int bad) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            ByteArrayOutputStream r = new ByteArrayOutputStream();
            r.writeBytes(
                    ByteBuffer.allocate(8).putLong(1_760_000_000_000_000_000L).array());
            r.write(0);
            string(r, app + " seq=" + i + " " + "x".repeat(50));
            string(r, "h");
            string(r, "src");
            varint(r, 0);
            byte[] rec = r.toByteArray();
            CRC32C crc = new CRC32C();
            crc.update(rec);
            if (i == bad) {
                rec[20] ^= 0x5A;
            }
            out.writeBytes(ByteBuffer.allocate(8)
                    .putInt(rec.length)
                    .putInt((int) crc.getValue())
                    .array());
            out.writeBytes(rec);
        }
        return out.toByteArray();
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        varint(out, b.length);
        out.writeBytes(b);
    }

    private static void varint(ByteArrayOutputStream out, int v) {
        while ((v & ~0x7f) != 0) {
            out.write((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }
}
