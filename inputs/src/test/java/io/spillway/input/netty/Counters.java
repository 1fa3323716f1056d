package io.spillway.input.netty;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.spillway.metrics.Metrics;
import org.jspecify.annotations.Nullable;

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

    private static double value(Metrics metrics, String name, @Nullable String kind) {
        return metrics.registry().scrape().stream()
                .filter(s -> s.getMetadata().getName().equals(name))
                .flatMap(s -> s.getDataPoints().stream())
                .filter(dp -> kind == null || kind.equals(dp.getLabels().get("kind")))
                .mapToDouble(dp -> ((CounterSnapshot.CounterDataPointSnapshot) dp).getValue())
                .findFirst()
                .orElse(0);
    }
}
