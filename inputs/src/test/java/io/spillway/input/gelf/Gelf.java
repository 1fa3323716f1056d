package io.spillway.input.gelf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/** Builds GELF payloads, compressed payloads and chunks for tests, and reads the shared corpus. */
final class Gelf {
    private Gelf() {}

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(data);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] zlib(byte[] data) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater(Deflater.BEST_COMPRESSION))) {
                z.write(data);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One chunk datagram: magic, 8-byte id, sequence number, count, body. */
    static byte[] chunk(long id, int seq, int count, byte[] body) {
        byte[] d = new byte[GelfChunkAggregator.HEADER + body.length];
        d[0] = 0x1e;
        d[1] = 0x0f;
        for (int i = 0; i < 8; i++) {
            d[2 + i] = (byte) (id >>> (56 - 8 * i));
        }
        d[10] = (byte) seq;
        d[11] = (byte) count;
        System.arraycopy(body, 0, d, GelfChunkAggregator.HEADER, body.length);
        return d;
    }

    /** A payload split into {@code count} chunks of (nearly) equal size. */
    static List<byte[]> chunks(long id, byte[] payload, int count) {
        List<byte[]> out = new ArrayList<>();
        int size = (payload.length + count - 1) / count;
        for (int i = 0; i < count; i++) {
            int from = Math.min(payload.length, i * size);
            int to = Math.min(payload.length, from + size);
            byte[] body = new byte[to - from];
            System.arraycopy(payload, from, body, 0, body.length);
            out.add(chunk(id, i, count, body));
        }
        return out;
    }

    static List<String> corpusLines(String name) {
        String dir = System.getProperty("spillway.corpus");
        if (dir == null || dir.isBlank()) {
            throw new IllegalStateException(
                    "system property spillway.corpus is not set; run through Maven or pass -Dspillway.corpus=DIR");
        }
        Path file = Path.of(dir, name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("corpus file " + file + " not found (spillway.corpus=" + dir + ")");
        }
        try {
            return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
