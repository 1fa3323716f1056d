package io.spillway.input.gelf;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A settable clock for tests. Thread-safe. */
final class FakeClock implements InstantSource {
    private volatile Instant now;

    FakeClock(Instant now) {
        this.now = now;
    }

    @Override
    public Instant instant() {
        return now;
    }

    void advance(Duration d) {
        now = now.plus(d);
    }
}
