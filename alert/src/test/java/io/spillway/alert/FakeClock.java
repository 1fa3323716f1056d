package io.spillway.alert;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock tests move by hand. */
final class FakeClock implements InstantSource {
    private volatile Instant now;

    FakeClock(Instant start) {
        this.now = start;
    }

    FakeClock() {
        this(Instant.parse("2026-05-01T12:00:00Z"));
    }

    @Override
    public Instant instant() {
        return now;
    }

    void advance(Duration d) {
        now = now.plus(d);
    }

    void set(Instant t) {
        now = t;
    }
}
