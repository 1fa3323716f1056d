package io.spillway.input.syslog;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A settable clock for tests. Thread-safe. */
final class TestClock implements InstantSource {
    private volatile Instant now;

    TestClock(Instant now) {
        this.now = now;
    }

    static TestClock at(String iso) {
        return new TestClock(Instant.parse(iso));
    }

    @Override
    public Instant instant() {
        return now;
    }

    void advance(Duration d) {
        now = now.plus(d);
    }

    static long nanos(String iso) {
        Instant i = Instant.parse(iso);
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
