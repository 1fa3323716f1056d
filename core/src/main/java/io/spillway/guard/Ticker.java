package io.spillway.guard;

/**
 * A monotonic nanosecond clock, like {@link System#nanoTime()}: only differences between two
 * readings mean anything. Injected so that time-based decisions are tested with a fake clock.
 */
@FunctionalInterface
public interface Ticker {
    long nanos();

    /** The JVM's monotonic clock. */
    static Ticker system() {
        return System::nanoTime;
    }
}
