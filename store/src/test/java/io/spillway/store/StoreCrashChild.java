package io.spillway.store;

import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a child JVM by {@link StoreCrashTest}: appends numbered records to app {@code crash} in
 * batches, syncs after each and prints {@code synced N} (N = records synced so far), until killed.
 * Chunks are small, so the kill lands in appends, syncs and seals alike.
 */
public final class StoreCrashChild {
    private StoreCrashChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long start = Long.parseLong(args[1]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (LogStore store = LogStore.open(dir, Stores.small(), new Metrics(), InstantSource.system())) {
            long n = start;
            while (true) {
                List<LogRecord> batch = new ArrayList<>();
                for (int i = 0; i < 50; i++, n++) {
                    batch.add(Stores.record("crash", n, "record " + n + " " + "q".repeat((int) (n % 400))));
                }
                store.append(batch);
                store.sync();
                out.println("synced " + n);
            }
        }
    }
}
