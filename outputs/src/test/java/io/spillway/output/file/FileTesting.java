package io.spillway.output.file;

import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.output.file.FileOutputConfig.Format;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Records, configs and disk inspection shared by the file output's tests. */
final class FileTesting {
    /** 2015-07-29T03:00:00.003Z, the night of the outage in DESIGN.md §1. */
    static final long T0 = 1_438_138_800_003_000_000L;

    private FileTesting() {}

    static LogRecord record(String app, String message) {
        return new LogRecord(
                T0,
                "node-7",
                app,
                "web.1",
                LogStream.STDOUT,
                Severity.INFO,
                message.getBytes(StandardCharsets.UTF_8),
                Map.of());
    }

    static FileOutputConfig config(long maxFileSize, int maxFiles, long maxTotal, int maxOpenFiles) {
        return new FileOutputConfig(
                true,
                "",
                Format.TEXT,
                DataSize.ofBytes(maxFileSize),
                maxFiles,
                DataSize.ofBytes(maxTotal),
                maxOpenFiles,
                io.spillway.space.SpaceFloor.ofBytes(0),
                false);
    }

    static FileOutput started(FileOutputConfig config, Path dir) throws IOException {
        FileOutput out = new FileOutput("file", config, dir, new Metrics());
        out.start();
        return out;
    }

    /** File name → size of every regular file in {@code dir}. */
    static Map<String, Long> files(Path dir) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(p.getFileName().toString(), Files.size(p));
                }
            }
        }
        return out;
    }

    static long diskBytes(Path dir) throws IOException {
        return files(dir).values().stream().mapToLong(Long::longValue).sum();
    }

    static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    /** A message that makes a text line of exactly {@code lineBytes} with {@link #record}. */
    static String messageForLine(int lineBytes) {
        int overhead = textLine(record("a", "")).length;
        return "x".repeat(lineBytes - overhead);
    }

    static byte[] textLine(LogRecord r) {
        LineBuffer b = new LineBuffer(64);
        new TextLineFormat().encode(r, b);
        return b.toByteArray();
    }
}
