package io.spillway.input.netty;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.spillway.metrics.Metrics;

/** Reads an input's counters back from the registry. */
final class Counters {
    private Counters() {}

    /** {@code spillway_input_errors{kind}}, 0 when never counted. */
    static double errors(Metrics metrics, String kind) {
        return value(metrics, "spillway_input_errors", kind);
    }

    /** {@code spillway_input_connections}. */
    static double connections(Metrics metrics) {
        return value(metrics, "spillway_input_connections", null);
    }

    private static double value(Metrics metrics, String name, @org.jspecify.annotations.Nullable String kind) {
        for (MetricSnapshot s : metrics.registry().scrape()) {
            if (!s.getMetadata().getName().equals(name)) {
                continue;
            }
            for (DataPointSnapshot dp : s.getDataPoints()) {
                if (kind == null || kind.equals(dp.getLabels().get("kind"))) {
                    return ((CounterSnapshot.CounterDataPointSnapshot) dp).getValue();
                }
            }
        }
        return 0;
    }
}
