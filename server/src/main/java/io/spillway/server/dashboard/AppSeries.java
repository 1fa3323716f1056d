package io.spillway.server.dashboard;

import io.spillway.store.AppSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The last hour of each app's ingest rate (lines/s) and drop rate (drops/s), for the sparklines.
 *
 * <p><b>Design.</b> {@link #sample} is called every {@code step} (10 s in the node) with the store's
 * app summaries and the drop ledger's running totals. The ingest rate is the store's own per-minute
 * rate; the drop rate is the difference of the totals since the previous sample divided by the time
 * between them. An app first seen after the first sample starts from 0 drops (all of its drops
 * happened since the previous sample); at the very first sample the baseline is unknown and the
 * totals so far become it. Each app keeps a ring of {@code points} samples (360 × 10 s = 1 h).
 *
 * <p><b>Bounds.</b> At most {@code maxApps} apps (the guard's {@code max_apps} in the node); an app
 * first seen when the table is full gets no series (its sparkline stays empty) and is counted in
 * {@link #refusedApps()}. Memory: {@code maxApps × points × 24} bytes at most.
 *
 * <p>Thread-safe: sampling and reading synchronize on this object.
 */
final class AppSeries {
    /** One app's series, oldest first; times in epoch seconds. */
    record Series(long[] times, double[] rate, double[] drops) {}

    private static final class Ring {
        final long[] times;
        final double[] rate;
        final double[] drops;
        int next;
        int size;
        long lastDropTotal = -1;

        Ring(int points) {
            times = new long[points];
            rate = new double[points];
            drops = new double[points];
        }
    }

    private final int points;
    private final int maxApps;
    private final Map<String, Ring> rings = new HashMap<>();
    private @Nullable Instant lastSample;
    private long refusedApps;

    AppSeries(int points, int maxApps) {
        if (points < 2 || maxApps < 1) {
            throw new IllegalArgumentException("points must be >= 2 and maxApps >= 1");
        }
        this.points = points;
        this.maxApps = maxApps;
    }

    synchronized void sample(Instant now, List<AppSummary> apps, Map<String, Long> dropTotals) {
        double seconds = lastSample == null
                ? 0
                : Math.max(0.001, Duration.between(lastSample, now).toMillis() / 1000.0);
        lastSample = now;
        Map<String, Double> rates = new HashMap<>();
        apps.forEach(a -> rates.put(a.app(), a.recordsPerSecond()));
        dropTotals.keySet().forEach(app -> rates.putIfAbsent(app, 0.0));
        for (Map.Entry<String, Double> e : rates.entrySet()) {
            Ring r = rings.get(e.getKey());
            if (r == null) {
                if (rings.size() >= maxApps) {
                    refusedApps++;
                    continue;
                }
                r = new Ring(points);
                rings.put(e.getKey(), r);
            }
            long total = dropTotals.getOrDefault(e.getKey(), 0L);
            if (r.lastDropTotal < 0 && seconds > 0) {
                // An app first seen now was not there at the previous sample: its drops so far all
                // happened since then. (A short burst of an app that is rate-limited from its first
                // line would otherwise become the baseline, and its chart would stay at 0.)
                r.lastDropTotal = 0;
            }
            double dropRate = r.lastDropTotal < 0 || seconds == 0 ? 0 : Math.max(0, total - r.lastDropTotal) / seconds;
            r.lastDropTotal = total;
            r.times[r.next] = now.getEpochSecond();
            r.rate[r.next] = e.getValue();
            r.drops[r.next] = dropRate;
            r.next = (r.next + 1) % points;
            r.size = Math.min(points, r.size + 1);
        }
    }

    synchronized @Nullable Series get(String app) {
        Ring r = rings.get(app);
        if (r == null) {
            return null;
        }
        long[] t = new long[r.size];
        double[] rate = new double[r.size];
        double[] drops = new double[r.size];
        int start = (r.next - r.size + points) % points;
        for (int i = 0; i < r.size; i++) {
            int j = (start + i) % points;
            t[i] = r.times[j];
            rate[i] = r.rate[j];
            drops[i] = r.drops[j];
        }
        return new Series(t, rate, drops);
    }

    synchronized int apps() {
        return rings.size();
    }

    synchronized long refusedApps() {
        return refusedApps;
    }
}
