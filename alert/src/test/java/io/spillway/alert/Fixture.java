package io.spillway.alert;

import io.spillway.FakeClock;
import io.spillway.alert.notify.Notifier;
import io.spillway.alert.signal.IncidentSource;
import io.spillway.alert.signal.Signal;
import io.spillway.config.ConfigBinder;
import io.spillway.event.EventSeverity;
import io.spillway.metrics.Metrics;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/** Builds engines over a temp directory with recording targets a, b, c and a fake clock. */
final class Fixture {
    final Path dir;
    final FakeClock clock = new FakeClock();
    final Metrics metrics = new Metrics();
    final Map<String, RecordingNotifier> targets = new LinkedHashMap<>();
    AlertConfig config;

    Fixture(Path dir, String yaml) throws Exception {
        this.dir = dir;
        for (String n : List.of("a", "b", "c")) {
            targets.put(n, new RecordingNotifier(n));
        }
        this.config = config(yaml);
    }

    static AlertConfig config(String yaml) throws Exception {
        return ConfigBinder.bind(AlertConfig.class, ConfigBinder.readYaml(yaml, "test"));
    }

    IncidentEngine open() throws Exception {
        RandomGenerator random = new SplittableRandom(42);
        return new IncidentEngine(
                config,
                dir.resolve("incidents.db"),
                dir.resolve("alert-ack.key"),
                Map.<String, Notifier>copyOf(targets),
                metrics,
                clock,
                Runnable::run,
                random);
    }

    /** The value of a counter or gauge data point with the given label, or -1 if there is none. */
    double metric(String name, String label, String value) {
        for (io.prometheus.metrics.model.snapshots.MetricSnapshot s :
                metrics.registry().scrape()) {
            if (!s.getMetadata().getName().equals(name)) {
                continue;
            }
            for (io.prometheus.metrics.model.snapshots.DataPointSnapshot d : s.getDataPoints()) {
                if (!label.isEmpty() && !value.equals(d.getLabels().get(label))) {
                    continue;
                }
                if (d instanceof io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot c) {
                    return c.getValue();
                }
                if (d instanceof io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot g) {
                    return g.getValue();
                }
            }
        }
        return -1;
    }

    RecordingNotifier t(String name) {
        return targets.get(name);
    }

    static Signal signal(String key, EventSeverity severity, String host, @Nullable String app, String summary) {
        return new Signal(
                IncidentSource.EVENT,
                key,
                key.contains("/") ? key.substring(0, key.indexOf('/')) : key,
                severity,
                summary,
                host,
                app,
                app == null ? Map.of("host", host) : Map.of("host", host, "app", app),
                Map.of(),
                null,
                Instant.EPOCH);
    }
}
