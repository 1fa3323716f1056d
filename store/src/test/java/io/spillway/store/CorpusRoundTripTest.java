package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.FakeClock;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every line of every corpus sample, stored as a message (raw bytes, whatever their encoding), reads
 * back byte for byte, before and after sealing and after a reopen.
 */
class CorpusRoundTripTest {
    @TempDir
    Path dir;

    static Path corpus() {
        String d = System.getProperty("spillway.corpus");
        if (d == null || d.isBlank()) {
            throw new IllegalStateException(
                    "system property spillway.corpus is not set; run through Maven or pass -Dspillway.corpus=DIR");
        }
        Path p = Path.of(d);
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("corpus directory " + p + " not found (spillway.corpus)");
        }
        return p;
    }

    /** Every corpus file's LF-separated lines as raw bytes. */
    static List<byte[]> lines() throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(corpus())) {
            for (Path f : files.sorted().toList()) {
                if (f.getFileName().toString().endsWith(".md")) {
                    continue;
                }
                byte[] all = Files.readAllBytes(f);
                int start = 0;
                for (int i = 0; i <= all.length; i++) {
                    if (i == all.length || all[i] == '\n') {
                        if (i > start) {
                            out.add(java.util.Arrays.copyOfRange(all, start, i));
                        }
                        start = i + 1;
                    }
                }
            }
        }
        assertThat(out).as("corpus lines").hasSizeGreaterThan(20);
        return out;
    }

    @Test
    void corpus_everyLine_roundTripsByteForByte() throws IOException {
        List<LogRecord> in = new ArrayList<>();
        List<byte[]> lines = lines();
        for (int rep = 0; rep < 200; rep++) { // enough to seal several 64 KiB chunks
            for (int i = 0; i < lines.size(); i++) {
                in.add(new LogRecord(
                        (long) rep * 1_000_000 + i,
                        "h",
                        "corpus",
                        "file",
                        LogStream.values()[i % 3],
                        Severity.values()[i % Severity.values().length],
                        lines.get(i),
                        i % 2 == 0 ? Map.of() : Map.of("line", Integer.toString(i))));
            }
        }
        try (LogStore s = LogStore.open(dir, Stores.small(), new Metrics(), FakeClock.ofEpochMilli(Stores.T0))) {
            s.append(in);
            assertThat(Stores.all(s, "corpus")).isEqualTo(in);
            s.awaitSeals();
            assertThat(LogStoreTest.appLog(s, "corpus").sealed).isNotEmpty();
            assertThat(Stores.all(s, "corpus")).isEqualTo(in);
        }
        try (LogStore s = LogStore.open(dir, Stores.small(), new Metrics(), FakeClock.ofEpochMilli(Stores.T0))) {
            assertThat(Stores.all(s, "corpus")).isEqualTo(in);
            AppSummary sum = s.app("corpus");
            assertThat(sum.records()).isEqualTo(in.size());
        }
    }
}
