package io.spillway.store;

import io.spillway.config.DataSize;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test helpers: configs and records. */
final class Stores {
    static final long T0 = 1_700_000_000_000L;

    private Stores() {}

    static StoreConfig config(DataSize chunk, DataSize total, DataSize perApp, Map<String, DataSize> apps) {
        StoreConfig d = StoreConfig.defaults();
        return new StoreConfig(
                true,
                "",
                d.maxAge(),
                total,
                perApp,
                apps,
                chunk,
                d.chunkMaxAge(),
                d.compressionLevel(),
                io.spillway.space.SpaceFloor.ofBytes(0),
                true,
                d.maxOpenFiles(),
                d.queryTimeout(),
                d.queryMaxScan(),
                d.tailQueue(),
                d.maxFollowers());
    }

    static StoreConfig small() {
        return config(DataSize.ofKiB(64), DataSize.ofGiB(1), DataSize.ofMiB(512), Map.of());
    }

    static StoreConfig withQuery(StoreConfig c, Duration timeout, DataSize maxScan, int tailQueue) {
        return new StoreConfig(
                c.enabled(),
                c.dir(),
                c.maxAge(),
                c.maxTotal(),
                c.maxPerApp(),
                c.apps(),
                c.chunkSize(),
                c.chunkMaxAge(),
                c.compressionLevel(),
                c.minFreeSpace(),
                c.fsyncOnFlush(),
                c.maxOpenFiles(),
                timeout,
                maxScan,
                tailQueue,
                c.maxFollowers());
    }

    static StoreConfig withAges(StoreConfig c, Duration maxAge, Duration chunkMaxAge) {
        return new StoreConfig(
                c.enabled(),
                c.dir(),
                maxAge,
                c.maxTotal(),
                c.maxPerApp(),
                c.apps(),
                c.chunkSize(),
                chunkMaxAge,
                c.compressionLevel(),
                c.minFreeSpace(),
                c.fsyncOnFlush(),
                c.maxOpenFiles(),
                c.queryTimeout(),
                c.queryMaxScan(),
                c.tailQueue(),
                c.maxFollowers());
    }

    static StoreConfig withOpenFiles(StoreConfig c, int maxOpenFiles) {
        return new StoreConfig(
                c.enabled(),
                c.dir(),
                c.maxAge(),
                c.maxTotal(),
                c.maxPerApp(),
                c.apps(),
                c.chunkSize(),
                c.chunkMaxAge(),
                c.compressionLevel(),
                c.minFreeSpace(),
                c.fsyncOnFlush(),
                maxOpenFiles,
                c.queryTimeout(),
                c.queryMaxScan(),
                c.tailQueue(),
                c.maxFollowers());
    }

    /** A record with every field set; {@code i} makes it unique. */
    static LogRecord record(String app, long tsNanos, String message) {
        return new LogRecord(
                tsNanos,
                "host-1",
                app,
                "c0ffee",
                LogStream.STDERR,
                Severity.ERROR,
                message.getBytes(StandardCharsets.UTF_8),
                Map.of("k", "v", "container", "web.1"));
    }

    static List<LogRecord> records(String app, int n, long startNanos, int messageBytes) {
        List<LogRecord> out = new ArrayList<>(n);
        String pad = "x".repeat(Math.max(0, messageBytes - 16));
        for (int i = 0; i < n; i++) {
            out.add(record(app, startNanos + i * 1_000_000L, "msg-" + i + " " + pad));
        }
        return out;
    }

    /** Every stored record of the app, in the order it was stored. */
    static List<LogRecord> all(LogStore s, String app) {
        List<LogRecord> out = new ArrayList<>();
        String cursor = null;
        while (true) {
            QueryResult r = s.query(new Query(app, null, null, null, Query.MAX_LIMIT, Query.Order.ARRIVAL, cursor));
            r.records().forEach(sr -> out.add(sr.record()));
            if (r.nextCursor() == null) {
                return out;
            }
            cursor = r.nextCursor();
        }
    }
}
