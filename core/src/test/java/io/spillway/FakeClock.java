package io.spillway;

import io.spillway.guard.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one clock tests move by hand: a wall clock ({@link InstantSource}) and a monotonic
 * {@link Ticker} that read the same time, so a test that advances it moves both.
 *
 * <p>Invariants: the time is one {@code long} of nanoseconds since the epoch, so every reading is
 * exact to the nanosecond and the clock holds instants between the years 1677 and 2262; it changes only
 * through {@link #advance}, {@link #set} or, when {@link #advanceOnEveryRead} is on, by a fixed step
 * at each reading. {@link #nanos()} reads that same number, so a ticker reading only means something
 * against another reading of the same clock, like {@link System#nanoTime()}.
 *
 * <p>Thread-safe and lock-free: servers under test read it from their own threads while the test
 * moves it. {@link #nanos()} allocates nothing, so it can drive the allocation-checked hot path.
 */
public final class FakeClock implements InstantSource, Ticker {
    /** Where {@link #FakeClock()} starts: an arbitrary fixed instant. */
    public static final Instant DEFAULT_START = Instant.parse("2026-05-01T12:00:00Z");

    private final AtomicLong nanos;
    private volatile long stepNanos;

    public FakeClock(Instant start) {
        this.nanos = new AtomicLong(epochNanos(start));
    }

    public FakeClock() {
        this(DEFAULT_START);
    }

    /** A clock at the ISO-8601 instant {@code iso}, such as {@code 2015-07-29T03:00:00Z}. */
    public static FakeClock at(String iso) {
        return new FakeClock(Instant.parse(iso));
    }

    public static FakeClock ofEpochMilli(long millis) {
        return new FakeClock(Instant.ofEpochMilli(millis));
    }

    /** Nanoseconds since the epoch of the ISO-8601 instant {@code iso}: what a record decoded then carries. */
    public static long epochNanos(String iso) {
        return epochNanos(Instant.parse(iso));
    }

    private static long epochNanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochSecond(0, read());
    }

    @Override
    public long millis() {
        return Math.floorDiv(read(), 1_000_000L);
    }

    /** The same time as {@link #instant()}, in nanoseconds since the epoch. */
    @Override
    public long nanos() {
        return read();
    }

    /** Moves the clock forward by {@code d} (backward if negative) and returns the new time. */
    public Instant advance(Duration d) {
        return Instant.ofEpochSecond(0, nanos.addAndGet(d.toNanos()));
    }

    public void set(Instant t) {
        nanos.set(epochNanos(t));
    }

    /**
     * From now on every reading first moves the clock by {@code step} ({@link Duration#ZERO} stops it):
     * a budget of time then runs out after a known number of readings, however fast the machine is.
     */
    public void advanceOnEveryRead(Duration step) {
        stepNanos = step.toNanos();
    }

    private long read() {
        long step = stepNanos;
        return step == 0 ? nanos.get() : nanos.addAndGet(step);
    }
}
