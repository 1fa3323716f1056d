package io.spillway.bench;

import io.spillway.flood.Lines;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Lines like those of {@code spillway flood} (the 2015 outage replay): quiet apps' short request
 * lines and the noisy error page's ~7 KB Rails {@code Parameters:} dumps. Unlike the flood generator,
 * sensor readings here are random, so the compression figures are not flattered by a repeating
 * pattern.
 */
final class StoreLines {
    private StoreLines() {}

    static String quiet(long seq, SplittableRandom rnd) {
        StringBuilder sb = new StringBuilder(224);
        sb.append("I, [2015-07-29T03:00:").append(seq % 60).append(".").append(rnd.nextInt(1_000_000));
        sb.append(" #").append(1000 + rnd.nextInt(64)).append("]  INFO -- : Completed 200 OK in ");
        sb.append(rnd.nextInt(200))
                .append("ms (Views: ")
                .append(rnd.nextInt(50))
                .append('.')
                .append(rnd.nextInt(10));
        sb.append("ms | ActiveRecord: ").append(rnd.nextInt(30)).append('.').append(rnd.nextInt(10));
        sb.append("ms) request_id=").append(Long.toHexString(rnd.nextLong()));
        sb.append(" path=/api/v1/items/").append(rnd.nextInt(100_000));
        return sb.toString();
    }

    static String noisy(long seq, SplittableRandom rnd, int targetBytes) {
        StringBuilder sb = new StringBuilder(targetBytes + 64);
        sb.append("Parameters: {\"utf8\"=>\"✓\", \"api_key\"=>\"[REDACTED]\", \"password\"=>\"[REDACTED]\", ");
        sb.append("\"device\"=>\"sensor-").append(seq % 977).append("\", \"readings\"=>[");
        long t = 1_438_131_600L + rnd.nextInt(86_400);
        while (sb.length() < targetBytes - 40) {
            sb.append("{\"t\"=>")
                    .append(t++)
                    .append(", \"v\"=>")
                    .append(rnd.nextInt(1000))
                    .append('.');
            sb.append(rnd.nextInt(10)).append("}, ");
        }
        sb.append("{\"t\"=>0, \"v\"=>0}]}");
        return sb.toString();
    }

    /** Flood's send time of line {@code seq}, as at 15,000 lines a second. */
    private static final long FLOOD_NANOS_PER_LINE = 66_667;

    /**
     * The noisy line exactly as {@code spillway flood} generates it (readings follow a fixed pattern):
     * flood's own generator, so the ratio reported for it cannot drift from what flood sends.
     */
    static String floodGenerator(long seq, int targetBytes) {
        return Lines.noisy(seq, seq * FLOOD_NANOS_PER_LINE, targetBytes);
    }

    /**
     * Every line of the shared sample corpus (the files of {@code dir} but its {@code .md} notes), as
     * bytes: the real log text of the formats Spillway takes.
     */
    static List<byte[]> corpusLines(Path dir) throws IOException {
        List<byte[]> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                if (f.toString().endsWith(".md") || !Files.isRegularFile(f)) {
                    continue;
                }
                for (String line :
                        Files.readString(f, StandardCharsets.ISO_8859_1).split("\n")) {
                    if (!line.isEmpty()) {
                        lines.add(line.getBytes(StandardCharsets.ISO_8859_1));
                    }
                }
            }
        }
        if (lines.isEmpty()) {
            throw new IOException("no corpus lines in " + dir);
        }
        return lines;
    }

    /** The corpus directory: system property {@code spillway.corpus}, else {@code testdata/corpus}. */
    static Path corpusDir() {
        return Path.of(System.getProperty("spillway.corpus", "testdata/corpus"));
    }

    static LogRecord record(String app, long tsNanos, String message) {
        return new LogRecord(
                tsNanos,
                "node-7",
                app,
                "3f4e1a2b9c8d",
                LogStream.STDOUT,
                Severity.INFO,
                message.getBytes(StandardCharsets.UTF_8),
                Map.of());
    }
}
