package io.spillway.clock;

import io.spillway.SuppressForbidden;
import java.time.InstantSource;

/**
 * The one place Spillway's production code obtains the wall clock (STYLE.md §5). Everything that
 * needs the time takes an injected {@link InstantSource}; the composition roots (the node, the CLI,
 * the load generator, the benchmarks) and the conveniences documented as using "the system clock"
 * get the real one here, tests pass a fake one. The build's forbidden-API check refuses {@code
 * System.currentTimeMillis()}, {@code Instant.now()}, {@code InstantSource.system()} and the other
 * wall-clock reads everywhere else.
 *
 * <p>Monotonic time (elapsed durations) is {@code System.nanoTime()}, injected as {@code
 * io.spillway.guard.Ticker} where a test needs to control it.
 */
public final class SystemClock {
    private SystemClock() {}

    /** The system's wall clock, in UTC. Thread-safe, stateless. */
    @SuppressForbidden(reason = "the process's one source of wall-clock time")
    public static InstantSource instantSource() {
        return InstantSource.system();
    }
}
