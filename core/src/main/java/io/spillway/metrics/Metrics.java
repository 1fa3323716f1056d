package io.spillway.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One registry per process (or per test). Asking twice for the same name returns the same metric,
 * so components need not coordinate; asking with different label names is a programming error.
 *
 * <p>Naming: names are {@code spillway_<component>_<what>}; counters get {@code _total} appended on
 * exposition by the Prometheus client. Label values must come from bounded sets (input and output
 * names, reasons; apps only through the app table's cap). Thread-safe.
 */
public final class Metrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Map<String, Object> byName = new ConcurrentHashMap<>();
    private final Map<String, String[]> labelsByName = new ConcurrentHashMap<>();

    public PrometheusRegistry registry() {
        return registry;
    }

    public Counter counter(String name, String help, String... labelNames) {
        return (Counter) byName.computeIfAbsent(name, n -> {
            labelsByName.put(n, labelNames);
            return Counter.builder().name(n).help(help).labelNames(labelNames).register(registry);
        });
    }

    public Gauge gauge(String name, String help, String... labelNames) {
        return (Gauge) byName.computeIfAbsent(name, n -> {
            labelsByName.put(n, labelNames);
            return Gauge.builder().name(n).help(help).labelNames(labelNames).register(registry);
        });
    }

    /** A gauge read when scraped; the callback reports each label set's value. */
    public void gaugeCallback(
            String name, String help, Consumer<GaugeWithCallback.Callback> callback, String... labelNames) {
        byName.computeIfAbsent(name, n -> {
            labelsByName.put(n, labelNames);
            return GaugeWithCallback.builder()
                    .name(n)
                    .help(help)
                    .labelNames(labelNames)
                    .callback(callback)
                    .register(registry);
        });
    }

    /** The label names a metric was registered with (for tests and diagnostics). */
    public String[] labelNames(String name) {
        String[] names = labelsByName.get(name);
        return names == null ? new String[0] : Arrays.copyOf(names, names.length);
    }
}
