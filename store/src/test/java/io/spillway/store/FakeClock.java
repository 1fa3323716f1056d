package io.spillway.store;

import java.time.Instant;
import java.time.InstantSource;

/** A settable wall clock for tests. */
final class FakeClock implements InstantSource {
    volatile long millis;

    FakeClock(long millis) {
        this.millis = millis;
    }

    void advance(long ms) {
        millis += ms;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public long millis() {
        return millis;
    }
}
