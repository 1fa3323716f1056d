package io.spillway.guard;

import io.spillway.admission.Drops;
import io.spillway.pipeline.Stage;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Repeat suppression: when an app writes the same message many times in a row (a retry loop, a
 * health check failing every millisecond), the first {@code after} lines of the run pass and the rest
 * are dropped and reported to {@link Drops} with reason {@value #REASON}, so the app's drop marker says
 * how many were suppressed. A different message, or the run's {@code window} running out, starts a new
 * run. {@code _spillway} is never suppressed.
 *
 * <p>Placed before the rate limiter (DESIGN.md §4 lists it after): suppressed repeats then do not
 * spend the app's rate budget, which is left for the lines that say something new.
 *
 * <p>Identity: "the same message" is the same length and the same 64-bit FNV-1a hash of the bytes; a
 * collision between different lines of one app within a run is possible in theory and would drop a
 * line of that app only.
 *
 * <p>Bounded state: one small run record per app, at most {@code max_apps}. A run idle for its window
 * is over, so when the table is full such runs are removed (a sweep at most once a second), which
 * changes no decision; apps that still find the table full are not suppressed.
 *
 * <p>Thread-safe; per record one pass over the bytes, a hash lookup and an uncontended monitor, and
 * nothing at all for apps where it is off.
 */
public final class RepeatStage implements Stage {
    public static final String NAME = "repeat";
    public static final String REASON = "repeat";

    private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;

    private final Drops drops;
    private final Ticker ticker;
    private final PerApp<RepeatConfig> configs;
    private final int maxApps;
    private final ConcurrentHashMap<String, Run> runs = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep;

    public RepeatStage(GuardConfig config, Drops drops, Ticker ticker) {
        this.drops = drops;
        this.ticker = ticker;
        this.configs = new PerApp<>(config, GuardConfig.AppSettings::repeat);
        this.maxApps = config.maxApps();
        this.lastSweep = new AtomicLong(ticker.nanos() - SWEEP_INTERVAL_NANOS);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public @Nullable LogRecord apply(LogRecord record) {
        RepeatConfig config = configs.get(record.app());
        if (!config.enabled() || record.app().equals(AppNames.SPILLWAY)) {
            return record;
        }
        byte[] message = record.messageBytes();
        long hash = hash(message);
        long now = ticker.nanos();
        while (true) {
            Run run = runs.get(record.app());
            if (run == null) {
                if (runs.size() >= maxApps) {
                    maybeSweep(now);
                    if (runs.size() >= maxApps) {
                        return record;
                    }
                }
                run = runs.computeIfAbsent(
                        record.app(), a -> new Run(config.window().toNanos()));
            }
            int result = run.see(hash, message.length, now, config.after());
            if (result == Run.PASS) {
                return record;
            }
            if (result == Run.SUPPRESS) {
                drops.dropped(record.app(), REASON, 1, message.length);
                return null;
            }
            // RETIRED by a concurrent sweep: look up again
        }
    }

    private void maybeSweep(long now) {
        long last = lastSweep.get();
        if (now - last < SWEEP_INTERVAL_NANOS || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        runs.values().removeIf(r -> r.retireIfOver(now));
    }

    /** The number of apps with run state (bounded by {@code max_apps}). */
    public int trackedApps() {
        return runs.size();
    }

    static long hash(byte[] m) {
        long h = 0xcbf29ce484222325L;
        for (byte b : m) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** One app's current run of identical messages. Guarded by its monitor. */
    private static final class Run {
        static final int PASS = 0;
        static final int SUPPRESS = 1;
        static final int RETIRED = 2;

        private final long windowNanos;
        private long hash;
        private int length = -1;
        private long start;
        private long last;
        private long count;
        private boolean retired;

        Run(long windowNanos) {
            this.windowNanos = windowNanos;
        }

        synchronized int see(long h, int len, long now, int after) {
            if (retired) {
                return RETIRED;
            }
            last = now;
            if (h != hash || len != length || now - start >= windowNanos) {
                hash = h;
                length = len;
                start = now;
                count = 1;
                return PASS;
            }
            count++;
            return count <= after ? PASS : SUPPRESS;
        }

        synchronized boolean retireIfOver(long now) {
            if (now - last >= windowNanos) {
                retired = true;
            }
            return retired;
        }
    }
}
