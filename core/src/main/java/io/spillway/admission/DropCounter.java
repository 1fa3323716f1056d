package io.spillway.admission;

import io.prometheus.metrics.core.metrics.Counter;
import io.spillway.metrics.Metrics;
import io.spillway.record.AppNames;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The drop ledger's counters in {@code /metrics}: {@code spillway_dropped_records_total{app,reason}}
 * and {@code spillway_dropped_bytes_total{app,reason}}.
 *
 * <p>Bound: at most {@code maxApps} distinct app label values; drops of further apps are counted
 * under the app {@code _other}, so a flood of invented app names cannot grow the metric set.
 * Thread-safe.
 */
public final class DropCounter implements Drops {
    private final Counter records;
    private final Counter bytes;
    private final Set<String> apps = ConcurrentHashMap.newKeySet();
    private final int maxApps;

    public DropCounter(Metrics metrics, int maxApps) {
        this.maxApps = maxApps;
        this.records = metrics.counter(
                "spillway_dropped_records", "Records not delivered, per app and reason.", "app", "reason");
        this.bytes = metrics.counter(
                "spillway_dropped_bytes", "Message bytes not delivered, per app and reason.", "app", "reason");
    }

    @Override
    public void dropped(String app, String reason, long n, long b) {
        String label = app;
        if (!apps.contains(app)) {
            if (apps.size() >= maxApps) {
                label = AppNames.OTHER;
            } else {
                apps.add(app);
            }
        }
        records.labelValues(label, reason).inc(n);
        bytes.labelValues(label, reason).inc(b);
    }
}
