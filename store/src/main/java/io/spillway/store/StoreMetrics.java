package io.spillway.store;

import io.prometheus.metrics.core.metrics.Counter;
import io.spillway.metrics.Metrics;
import io.spillway.record.AppNames;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store's counters. Per-app labels are capped at {@link #MAX_APP_LABELS} distinct apps; further
 * apps are counted under {@code _other}, so invented app names cannot grow the metric set. Thread-safe.
 */
final class StoreMetrics {
    static final int MAX_APP_LABELS = 1000;
    static final String OTHER_APPS = AppNames.OTHER;

    private final Counter records;
    private final Counter bytes;
    private final Counter evictedBytes;
    private final Counter evictedChunks;
    private final Counter sealed;
    private final Counter queries;
    private final Counter queryStops;
    private final Counter recoveredCut;
    private final Counter corrupt;
    private final Counter tailMissed;
    private final Counter truncated;
    private final Set<String> labelled = ConcurrentHashMap.newKeySet();

    StoreMetrics(Metrics m) {
        records = m.counter("spillway_store_records", "Records the store appended, per app.", "app");
        bytes = m.counter("spillway_store_bytes", "Message bytes the store appended, per app.", "app");
        evictedBytes = m.counter(
                "spillway_store_evicted_bytes",
                "Bytes of chunks retention deleted, per app and reason (max_age, max_per_app, max_total).",
                "app",
                "reason");
        evictedChunks = m.counter("spillway_store_evicted_chunks", "Chunks retention deleted, per reason.", "reason");
        sealed = m.counter("spillway_store_chunks_sealed", "Active chunks sealed into compressed chunks.");
        queries = m.counter("spillway_store_queries", "Queries the store answered.");
        queryStops = m.counter(
                "spillway_store_query_stopped",
                "Queries stopped early by a budget (time_budget, byte_budget).",
                "reason");
        recoveredCut = m.counter(
                "spillway_store_recovery_cut_bytes", "Bytes of torn or corrupt active chunk tails cut at open.");
        corrupt = m.counter(
                "spillway_store_corrupt_chunks",
                "Chunks or blocks found damaged (salvaged, repaired or quarantined; records lost are in spillway_dropped_records_total{reason=corrupt}).");
        tailMissed = m.counter("spillway_store_tail_missed", "Records discarded because a live follower fell behind.");
        truncated =
                m.counter("spillway_store_truncated_records", "Records whose message was cut to fit the chunk size.");
    }

    private String label(String app) {
        if (labelled.contains(app)) {
            return app;
        }
        if (labelled.size() >= MAX_APP_LABELS) {
            return OTHER_APPS;
        }
        labelled.add(app);
        return app;
    }

    void stored(String app, long n, long messageBytes) {
        String l = label(app);
        records.labelValues(l).inc(n);
        bytes.labelValues(l).inc(messageBytes);
    }

    void evicted(String app, String reason, long fileBytes) {
        evictedBytes.labelValues(label(app), reason).inc(fileBytes);
        evictedChunks.labelValues(reason).inc();
    }

    void sealed() {
        sealed.inc();
    }

    void query(@org.jspecify.annotations.Nullable String stoppedEarly) {
        queries.inc();
        if (stoppedEarly != null) {
            queryStops.labelValues(stoppedEarly).inc();
        }
    }

    void recoveryCut(long n) {
        recoveredCut.inc(n);
    }

    void corrupt() {
        corrupt.inc();
    }

    void tailMissed() {
        tailMissed.inc();
    }

    void truncated() {
        truncated.inc();
    }
}
