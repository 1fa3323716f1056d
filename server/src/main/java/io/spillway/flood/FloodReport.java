package io.spillway.flood;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spillway.config.Durations;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/** What a flood run found: per app sent, delivered, lost and latency, and Spillway's drop reasons. */
public record FloodReport(
        Workload workload,
        Duration elapsed,
        List<AppTally.Snapshot> apps,
        Map<String, Map<String, Long>> dropsByApp,
        boolean sawMetrics) {

    /** True when no quiet app lost a line: the fairness promise under the outage workload. */
    public boolean quietAppsLostNothing() {
        return apps.stream().filter(a -> !a.noisy()).allMatch(a -> a.lost() == 0);
    }

    Histogram quietLatency() {
        return quiet(AppTally.Snapshot::latencyMicros);
    }

    /** Quiet apps' latencies of lines sent after the warm-up window. */
    Histogram quietSteadyLatency() {
        return quiet(AppTally.Snapshot::steadyMicros);
    }

    private Histogram quiet(Function<AppTally.Snapshot, Histogram> which) {
        Histogram h = new Histogram(3_600_000_000L, 3);
        apps.stream().filter(a -> !a.noisy()).forEach(a -> h.add(which.apply(a)));
        return h;
    }

    private String steadyHeader() {
        return "p99 after " + Durations.format(workload.warmup());
    }

    public void print(PrintStream out) {
        long quietSent = 0, quietDelivered = 0;
        for (AppTally.Snapshot a : apps) {
            if (!a.noisy()) {
                quietSent += a.sent();
                quietDelivered += a.delivered();
            }
        }
        double secs = Math.max(1e-9, elapsed.toNanos() / 1e9);
        out.printf(
                Locale.ROOT,
                "%-24s %12s %12s %12s %9s %9s %14s%n",
                "app",
                "sent",
                "delivered",
                "lost",
                "p50 ms",
                "p99 ms",
                steadyHeader());
        if (workload.quietApps() > 0) {
            Histogram q = quietLatency();
            out.printf(
                    Locale.ROOT,
                    "%-24s %12d %12d %12d %9.1f %9.1f %14.1f%n",
                    "quiet (" + workload.quietApps() + " apps)",
                    quietSent,
                    quietDelivered,
                    quietSent - quietDelivered,
                    ms(q, 50),
                    ms(q, 99),
                    ms(quietSteadyLatency(), 99));
            apps.stream()
                    .filter(a -> !a.noisy())
                    .max(Comparator.comparingLong(AppTally.Snapshot::lost)
                            .thenComparingLong(a -> a.latencyMicros().getValueAtPercentile(99)))
                    .ifPresent(w -> printApp(out, "  worst: " + w.app(), w));
        }
        apps.stream().filter(AppTally.Snapshot::noisy).forEach(a -> printApp(out, a.app(), a));
        out.println();
        for (Map.Entry<String, Map<String, Long>> e : dropsByApp.entrySet()) {
            out.println("spillway counted drops for " + e.getKey() + ": " + e.getValue());
        }
        if (!sawMetrics) {
            out.println("(no --metrics URL: drop reasons not shown)");
        }
        long noisySent = apps.stream()
                .filter(AppTally.Snapshot::noisy)
                .mapToLong(AppTally.Snapshot::sent)
                .sum();
        out.printf(
                Locale.ROOT,
                "sent %.0f lines/s quiet, %.0f lines/s noisy (%.1f MB/s) over %.1fs%n",
                quietSent / secs,
                noisySent / secs,
                noisySent * (double) workload.noisyLineBytes() / secs / 1e6,
                secs);
        out.println(quietAppsLostNothing() ? "RESULT quiet apps lost nothing" : "RESULT quiet apps LOST lines");
    }

    private static void printApp(PrintStream out, String label, AppTally.Snapshot a) {
        out.printf(
                Locale.ROOT,
                "%-24s %12d %12d %12d %9.1f %9.1f %14.1f%n",
                label.length() > 24 ? label.substring(0, 24) : label,
                a.sent(),
                a.delivered(),
                a.lost(),
                ms(a.latencyMicros(), 50),
                ms(a.latencyMicros(), 99),
                ms(a.steadyMicros(), 99));
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    public String toJson() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("duration_s", elapsed.toNanos() / 1e9);
        root.put("quiet_apps", workload.quietApps());
        root.put("quiet_rate", workload.quietRate());
        root.put("noisy_rate", workload.noisyRate());
        root.put("noisy_line_bytes", workload.noisyLineBytes());
        root.put("quiet_lost_nothing", quietAppsLostNothing());
        Histogram q = quietLatency();
        root.put("quiet_p50_ms", ms(q, 50));
        root.put("quiet_p99_ms", ms(q, 99));
        root.put("warmup_s", workload.warmup().toNanos() / 1e9);
        root.put("quiet_p99_after_warmup_ms", ms(quietSteadyLatency(), 99));
        ArrayNode arr = root.putArray("apps");
        for (AppTally.Snapshot a : apps) {
            ObjectNode o = arr.addObject();
            o.put("app", a.app());
            o.put("noisy", a.noisy());
            o.put("sent", a.sent());
            o.put("delivered", a.delivered());
            o.put("lost", a.lost());
            o.put("duplicates", a.duplicates());
            o.put("p50_ms", ms(a.latencyMicros(), 50));
            o.put("p99_ms", ms(a.latencyMicros(), 99));
            o.put("p99_after_warmup_ms", ms(a.steadyMicros(), 99));
        }
        ObjectNode drops = root.putObject("drops");
        dropsByApp.forEach((app, reasons) -> {
            ObjectNode r = drops.putObject(app);
            reasons.forEach(r::put);
        });
        return root.toPrettyString();
    }
}
