package io.spillway.guard;

import io.spillway.admission.Admission;
import io.spillway.admission.Drops;
import io.spillway.config.DataSize;
import io.spillway.config.Durations;
import io.spillway.pipeline.RecordSink;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import io.spillway.thread.NamedThreadFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drop ledger (G3): every record that will not be delivered is reported here, by whoever dropped
 * it (guard stages, buffers, outputs), and shows up three ways:
 *
 * <ol>
 *   <li>in {@code /metrics}, through the delegate (normally a {@link io.spillway.admission.DropCounter}:
 *       {@code spillway_dropped_records_total{app,reason}} and {@code spillway_dropped_bytes_total});
 *   <li>in {@link #snapshot()}: totals per app and reason since start, for the API and the dashboard;
 *   <li>as a marker record in the app's own stream, at most one per app per {@code markers.interval}:
 *       app = the app, stream {@code event}, severity {@code warning}, fields
 *       {@code spillway=drop_marker}, {@code dropped_lines}, {@code dropped_bytes}, {@code reasons}
 *       ({@code rate_limit=18000,shed=342}), and the message
 *       {@code spillway: dropped 18342 lines (127.4 MB) in 10s: rate limit 1 MiB/s (18000), shed (342)}
 *       (reasons by lines dropped, heaviest first; the count in parentheses only when there are
 *       several).
 * </ol>
 *
 * <p>Delivery of markers: {@link #runOnce()} (every interval on the thread started by {@link #start})
 * hands them to the sink given to {@code start}. That sink must put records into the output buffers
 * <em>without</em> passing the guard stages, or the rate limiter would drop the marker of an app that is
 * over its limit, which is exactly when it matters. A marker refused by a buffer is reported to this
 * ledger like any drop, and so appears in the next interval's marker.
 *
 * <p>Bounds: at most {@code maxApps} apps are tracked; drops of further apps are tallied under
 * {@value #OTHER_APPS}, whose marker goes to the {@code _spillway} stream. When the table is 90% full,
 * apps without drops in the last interval are forgotten, longest quiet first, down to 75%; their
 * totals move to {@value #OTHER_APPS}, so the sum over the snapshot never decreases. A flush writes at
 * most {@code maxApps + 1} markers.
 *
 * <p>Thread-safety: {@link #dropped} is called from any thread; each app's tally has its own monitor,
 * held for a few additions. {@link #flush} may run concurrently with {@code dropped}: a drop is counted
 * in exactly one marker.
 */
public final class DropLedger implements Drops {
    private static final Logger log = LoggerFactory.getLogger(DropLedger.class);

    public static final String MARKER_FIELD = "spillway";
    public static final String MARKER_VALUE = "drop_marker";
    public static final String OTHER_APPS = AppNames.OTHER;

    /** A tally holds at most this many reasons; the vocabulary is small, the bound is a backstop. */
    static final int MAX_REASONS = 32;

    private final MarkersConfig config;
    private final int maxApps;
    private final String host;
    private final InstantSource clock;
    private final Drops delegate;
    private final ConcurrentHashMap<String, Tally> apps = new ConcurrentHashMap<>();
    private final Tally other = new Tally(OTHER_APPS);
    private final Map<String, UnaryOperator<String>> describers = new ConcurrentHashMap<>();
    private final Object flushLock = new Object();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Instant periodStart;
    private @Nullable Thread thread;
    private volatile @Nullable RecordSink sink;

    /**
     * @param config {@code guard.markers}
     * @param maxApps {@code guard.max_apps}
     * @param host the host name written into markers
     * @param clock wall clock for marker timestamps and intervals
     * @param delegate also told of every drop, normally the {@code DropCounter} behind {@code /metrics}
     */
    public DropLedger(MarkersConfig config, int maxApps, String host, InstantSource clock, Drops delegate) {
        this.config = config;
        this.maxApps = maxApps;
        this.host = host;
        this.clock = clock;
        this.delegate = delegate;
        this.periodStart = clock.instant();
    }

    /**
     * How markers name {@code reason} for an app (default: the reason with {@code _} as spaces). The
     * rate limiter registers {@code rate_limit → "rate limit 1 MiB/s"}.
     */
    public void describeReason(String reason, UnaryOperator<String> describeForApp) {
        describers.put(reason, describeForApp);
    }

    @Override
    public void dropped(String app, String reason, long records, long bytes) {
        delegate.dropped(app, reason, records, bytes);
        while (true) {
            Tally tally = apps.get(app);
            if (tally == null) {
                tally = apps.size() >= maxApps ? other : apps.computeIfAbsent(app, Tally::new);
            }
            if (tally.add(reason, records, bytes)) {
                return;
            }
            // retired by a concurrent flush: look up again
        }
    }

    /** Counted in {@code /metrics} and the snapshot like any drop, but not in a marker: its reporter wrote one. */
    @Override
    public void droppedMarked(String app, String reason, long records, long bytes) {
        delegate.dropped(app, reason, records, bytes);
        while (true) {
            Tally tally = apps.get(app);
            if (tally == null) {
                tally = apps.size() >= maxApps ? other : apps.computeIfAbsent(app, Tally::new);
            }
            if (tally.addMarked(reason, records, bytes)) {
                return;
            }
        }
    }

    /** Starts the marker thread; markers go to {@code sink} (see the class comment: after the guard). */
    public synchronized void start(RecordSink sink) {
        if (thread != null) {
            throw new IllegalStateException("drop ledger already started");
        }
        this.sink = sink;
        Thread t = NamedThreadFactory.daemon("drop-markers").newThread(this::run);
        thread = t;
        t.start();
    }

    /** Stops the marker thread after writing the last markers. */
    public void stop() {
        stopped.countDown();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        long intervalNanos = config.interval().toNanos();
        while (true) {
            try {
                if (stopped.await(intervalNanos, TimeUnit.NANOSECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                break;
            }
            try {
                runOnce();
            } catch (RuntimeException e) {
                log.error("drop markers: unexpected error, continuing", e);
            }
        }
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.error("drop markers: final flush failed", e);
        }
    }

    /**
     * One loop step: {@link #flush} now and hand the markers to the sink. Returns the markers written.
     * Before {@link #start} there is no sink: nothing is flushed, so no drop misses its marker.
     */
    public int runOnce() {
        RecordSink s = sink;
        if (s == null) {
            return 0;
        }
        List<LogRecord> markers = flush(clock.instant());
        for (LogRecord marker : markers) {
            Admission a = s.accept(marker);
            if (!a.accepted()) {
                log.debug("drop marker for {} refused: {}", marker.app(), a.reason());
            }
        }
        return markers.size();
    }

    /**
     * Closes the interval that ends at {@code now}: takes every app's drops since the last flush and
     * returns one marker per app that had any (none when markers are disabled; the drops are counted
     * either way). Also forgets quiet apps when the table is nearly full.
     */
    public List<LogRecord> flush(Instant now) {
        synchronized (flushLock) {
            Duration elapsed = Duration.between(periodStart, now);
            periodStart = now;
            List<LogRecord> markers = new ArrayList<>();
            long nowNanos = epochNanos(now);
            for (Tally tally : apps.values()) {
                Map<String, long[]> pending = tally.takePending(nowNanos);
                if (!pending.isEmpty() && config.enabled()) {
                    markers.add(marker(tally.app, tally.app, pending, elapsed, nowNanos));
                }
            }
            Map<String, long[]> pending = other.takePending(nowNanos);
            if (!pending.isEmpty() && config.enabled()) {
                markers.add(marker(AppNames.SPILLWAY, OTHER_APPS, pending, elapsed, nowNanos));
            }
            if (apps.size() >= maxApps * 9L / 10) {
                forgetQuietApps(nowNanos);
            }
            return markers;
        }
    }

    private void forgetQuietApps(long nowNanos) {
        List<Tally> quiet = new ArrayList<>();
        for (Tally t : apps.values()) {
            if (t.lastDropNanos() < nowNanos) {
                quiet.add(t);
            }
        }
        quiet.sort(Comparator.comparingLong(Tally::lastDropNanos));
        long target = maxApps * 3L / 4;
        for (Tally t : quiet) {
            if (apps.size() <= target) {
                break;
            }
            Map<String, long[]> totals = t.retire();
            if (totals != null) {
                apps.remove(t.app, t);
                other.addTotals(totals);
            }
        }
    }

    private LogRecord marker(
            String streamApp, String app, Map<String, long[]> pending, Duration elapsed, long nowNanos) {
        List<Map.Entry<String, long[]>> reasons = new ArrayList<>(pending.entrySet());
        reasons.sort(Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0])
                .thenComparing(Map.Entry::getKey));
        long lines = 0;
        long bytes = 0;
        StringBuilder text = new StringBuilder();
        StringBuilder field = new StringBuilder();
        for (Map.Entry<String, long[]> e : reasons) {
            lines += e.getValue()[0];
            bytes += e.getValue()[1];
            if (!text.isEmpty()) {
                text.append(", ");
                field.append(',');
            }
            text.append(describe(e.getKey(), app));
            if (reasons.size() > 1) {
                text.append(" (").append(e.getValue()[0]).append(')');
            }
            field.append(e.getKey()).append('=').append(e.getValue()[0]);
        }
        String message = "spillway: dropped " + lines + (lines == 1 ? " line" : " lines") + " ("
                + DataSize.human(bytes) + ") in " + interval(elapsed)
                + (app.equals(OTHER_APPS) ? " from apps beyond the ledger's " + maxApps + "-app table" : "")
                + ": " + text;
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(MARKER_FIELD, MARKER_VALUE);
        fields.put("dropped_lines", Long.toString(lines));
        fields.put("dropped_bytes", Long.toString(bytes));
        fields.put("reasons", field.toString());
        return new LogRecord(
                nowNanos,
                host,
                streamApp,
                "spillway",
                LogStream.EVENT,
                Severity.WARNING,
                message.getBytes(StandardCharsets.UTF_8),
                fields);
    }

    private String describe(String reason, String app) {
        UnaryOperator<String> d = describers.get(reason);
        if (d != null && !app.equals(OTHER_APPS)) {
            try {
                return d.apply(app);
            } catch (RuntimeException e) {
                log.warn("describing drop reason {} failed", reason, e);
            }
        }
        return reason.replace('_', ' ');
    }

    /** Whole seconds from one second up (markers run every few seconds); milliseconds below. */
    static String interval(Duration d) {
        if (d.compareTo(Duration.ofMillis(999)) <= 0) {
            return Durations.format(Duration.ofMillis(Math.max(0, d.toMillis())));
        }
        return Durations.format(Duration.ofSeconds(Math.round(d.toMillis() / 1000.0)));
    }

    private static long epochNanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /**
     * Totals since start: app → reason → counts. Apps beyond the table's bound, and apps forgotten
     * after a quiet spell, are under {@value #OTHER_APPS}. A copy; thread-safe.
     */
    public Map<String, Map<String, Counts>> snapshot() {
        Map<String, Map<String, Counts>> out = new TreeMap<>();
        for (Tally t : apps.values()) {
            Map<String, Counts> m = t.totals();
            if (!m.isEmpty()) {
                out.put(t.app, m);
            }
        }
        Map<String, Counts> o = other.totals();
        if (!o.isEmpty()) {
            out.put(OTHER_APPS, o);
        }
        return out;
    }

    /** Records and message bytes dropped. */
    public record Counts(long records, long bytes) {}

    /** One app's drops: per reason {pending records, pending bytes, total records, total bytes}. */
    private static final class Tally {
        final String app;
        private final Map<String, long[]> reasons = new HashMap<>(4);
        private long lastDropNanos;
        private boolean pending;
        private boolean retired;

        Tally(String app) {
            this.app = app;
        }

        synchronized boolean add(String reason, long records, long bytes) {
            if (retired) {
                return false;
            }
            long[] c = reasons.get(reason);
            if (c == null) {
                if (reasons.size() < MAX_REASONS) {
                    c = new long[4];
                    reasons.put(reason, c);
                } else {
                    c = reasons.computeIfAbsent("other", r -> new long[4]);
                }
            }
            c[0] += records;
            c[1] += bytes;
            c[2] += records;
            c[3] += bytes;
            pending = true;
            return true;
        }

        /** Adds to the totals only: the drop already has its marker. */
        synchronized boolean addMarked(String reason, long records, long bytes) {
            if (retired) {
                return false;
            }
            long[] c = reasons.get(reason);
            if (c == null) {
                if (reasons.size() < MAX_REASONS) {
                    c = new long[4];
                    reasons.put(reason, c);
                } else {
                    c = reasons.computeIfAbsent("other", r -> new long[4]);
                }
            }
            c[2] += records;
            c[3] += bytes;
            return true;
        }

        synchronized Map<String, long[]> takePending(long nowNanos) {
            if (!pending) {
                return Map.of();
            }
            Map<String, long[]> out = new HashMap<>();
            for (Map.Entry<String, long[]> e : reasons.entrySet()) {
                long[] c = e.getValue();
                if (c[0] != 0 || c[1] != 0) {
                    out.put(e.getKey(), new long[] {c[0], c[1]});
                    c[0] = 0;
                    c[1] = 0;
                }
            }
            pending = false;
            lastDropNanos = nowNanos;
            return out;
        }

        synchronized long lastDropNanos() {
            return lastDropNanos;
        }

        /**
         * Marks the tally retired (later adds go elsewhere) and returns its totals; null, and nothing
         * changes, when drops arrived since the last flush.
         */
        synchronized @Nullable Map<String, long[]> retire() {
            if (pending) {
                return null;
            }
            retired = true;
            return new HashMap<>(reasons);
        }

        synchronized void addTotals(Map<String, long[]> totals) {
            for (Map.Entry<String, long[]> e : totals.entrySet()) {
                long[] c = reasons.computeIfAbsent(e.getKey(), r -> new long[4]);
                c[2] += e.getValue()[2];
                c[3] += e.getValue()[3];
            }
        }

        synchronized Map<String, Counts> totals() {
            Map<String, Counts> out = new TreeMap<>();
            reasons.forEach((r, c) -> {
                if (c[2] != 0 || c[3] != 0) {
                    out.put(r, new Counts(c[2], c[3]));
                }
            });
            return out;
        }
    }
}
