package io.spillway.guard;

import io.spillway.admission.Drops;
import io.spillway.config.DataSize;
import io.spillway.pipeline.Stage;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Per-app rate limit (G1, G2: one app's flood cannot take the pipeline from the others).
 *
 * <p>Each app has a {@link TokenBucket} pair, bytes ({@code bytes_per_second}) and lines
 * ({@code lines_per_second}), each holding {@code rate × burst}, refilled continuously from the
 * injected {@link Ticker}. A record whose app lacks the tokens is dropped and reported to
 * {@link Drops} with reason {@value #REASON}. The reserved app {@code _spillway} is never limited.
 * Drop markers are not limited either because they never pass here: {@link DropLedger} hands them to
 * the buffers directly (a field on the record could be forged by any input, an app name cannot be
 * {@code _spillway} unless Spillway made it).
 *
 * <p>Place in the guard ({@link Guard}): after truncation and repeat suppression, before redaction. A
 * record's byte cost is its message length after truncation and before redaction, and a refused record
 * costs no redaction work: a flood's excess is dropped before the expensive stage.
 *
 * <p>Bounded table: at most {@code max_apps} buckets (plus at most one per concurrently inserting
 * thread). A bucket idle for its burst duration is full, hence equal to a new one, so when the table is
 * full such buckets are removed (a sweep at most once a second); this changes no decision. Apps that
 * still find the table full share one overflow bucket with the global limits, so a flood of invented
 * app names is limited as if it were one app and never grows memory. Their drops are still reported
 * under their own names.
 *
 * <p>Per-record cost: a hash lookup and an uncontended monitor on the app's bucket. Thread-safe.
 */
public final class RateLimitStage implements Stage {
    public static final String NAME = "rate_limit";
    public static final String REASON = "rate_limit";

    private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;

    private final Drops drops;
    private final Ticker ticker;
    private final PerApp<RateLimitConfig> configs;
    private final int maxApps;
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final TokenBucket overflow;
    private final AtomicLong lastSweep;

    public RateLimitStage(GuardConfig config, Drops drops, Ticker ticker) {
        this.drops = drops;
        this.ticker = ticker;
        this.configs = new PerApp<>(config, GuardConfig.AppSettings::rateLimit);
        this.maxApps = config.maxApps();
        long now = ticker.nanos();
        this.overflow = new TokenBucket(config.rateLimit(), now);
        this.lastSweep = new AtomicLong(now - SWEEP_INTERVAL_NANOS);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public @Nullable LogRecord apply(LogRecord record) {
        String app = record.app();
        if (app.equals(AppNames.SPILLWAY)) {
            return record;
        }
        long bytes = record.messageLength();
        long now = ticker.nanos();
        while (true) {
            TokenBucket bucket = bucket(app, now);
            if (bucket == null) {
                return record;
            }
            int result = bucket.tryAcquire(bytes, now);
            if (result == TokenBucket.ADMITTED) {
                return record;
            }
            if (result == TokenBucket.REFUSED) {
                drops.dropped(app, REASON, 1, bytes);
                return null;
            }
            // RETIRED by a concurrent sweep between lookup and acquire: look up again.
        }
    }

    /** The app's bucket, the overflow bucket, or null when the app is not limited and has no bucket. */
    private @Nullable TokenBucket bucket(String app, long now) {
        TokenBucket bucket = buckets.get(app);
        if (bucket != null) {
            return bucket;
        }
        if (buckets.size() >= maxApps) {
            maybeSweep(now);
        }
        RateLimitConfig config = configs.resolve(app);
        if (buckets.size() >= maxApps) {
            return config.unlimited() ? null : overflow;
        }
        return buckets.computeIfAbsent(app, a -> new TokenBucket(config, now));
    }

    private void maybeSweep(long now) {
        long last = lastSweep.get();
        if (now - last < SWEEP_INTERVAL_NANOS || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        buckets.values().removeIf(b -> b.retireIfIdle(now));
    }

    /**
     * Whether {@code app} is over its limit now: empty when its next record would be admitted, else
     * how long until it would be (for HTTP {@code 429} with {@code Retry-After}, rounded up to seconds by
     * the caller). Precisely: the wait until the app's buckets hold the cost of its last refused record.
     */
    public Optional<Duration> retryAfter(String app) {
        if (app.equals(AppNames.SPILLWAY)) {
            return Optional.empty();
        }
        TokenBucket bucket = buckets.get(app);
        if (bucket == null) {
            if (buckets.size() < maxApps || configs.resolve(app).unlimited()) {
                return Optional.empty();
            }
            bucket = overflow;
        }
        long wait = bucket.retryAfterNanos(ticker.nanos());
        return wait > 0 ? Optional.of(Duration.ofNanos(wait)) : Optional.empty();
    }

    /** True when {@code app}'s next record would be refused; see {@link #retryAfter}. */
    public boolean overLimit(String app) {
        return retryAfter(app).isPresent();
    }

    /** The number of per-app buckets held (bounded by {@code max_apps}). */
    public int trackedApps() {
        return buckets.size();
    }

    /**
     * How the drop marker names this stage's limit for {@code app}, e.g. {@code rate limit 1 MiB/s} or
     * {@code rate limit 5000 lines/s}: the limit that refused the app's last refused record, or every
     * limit of the app when that is no longer known.
     */
    public String describe(String app) {
        TokenBucket bucket = buckets.get(app);
        RateLimitConfig config = bucket != null ? bucket.config : configs.resolve(app);
        int exceeded = bucket != null ? bucket.exceeded() : 0;
        if (exceeded == 0) {
            exceeded = TokenBucket.BYTES | TokenBucket.LINES;
        }
        List<String> parts = new ArrayList<>(2);
        if ((exceeded & TokenBucket.BYTES) != 0 && config.bytesPerSecond().bytes() > 0) {
            parts.add(rate(config.bytesPerSecond()) + "/s");
        }
        if ((exceeded & TokenBucket.LINES) != 0 && config.linesPerSecond() > 0) {
            parts.add(config.linesPerSecond() + " lines/s");
        }
        return parts.isEmpty() ? "rate limit" : "rate limit " + String.join(" and ", parts);
    }

    /** {@code 1 MiB}, {@code 256 KiB}; sizes that are no whole binary unit in the decimal human form. */
    static String rate(DataSize size) {
        String exact = size.toString();
        int unit = 0;
        while (unit < exact.length() && Character.isDigit(exact.charAt(unit))) {
            unit++;
        }
        if (exact.endsWith("B") && !exact.endsWith("iB") && size.bytes() >= 1000) {
            return DataSize.human(size.bytes());
        }
        return exact.substring(0, unit) + " " + exact.substring(unit);
    }
}
