package io.spillway.guard;

import io.spillway.admission.Drops;
import io.spillway.config.ConfigBinder;
import io.spillway.config.ConfigException;
import io.spillway.record.LogRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/** Test doubles shared by the guard tests: a fake ticker and clock, a recording Drops, YAML binding. */
final class Fakes {
    private Fakes() {}

    static GuardConfig config(String yaml) throws ConfigException {
        return ConfigBinder.bind(GuardConfig.class, ConfigBinder.readYaml(yaml, "test"));
    }

    static LogRecord record(String app, String message) {
        return LogRecord.of(1L, "host-1", app, message);
    }

    static LogRecord record(String app, byte[] message) {
        return record(app, "").withMessage(message);
    }

    static String text(LogRecord r) {
        return new String(r.messageBytes(), StandardCharsets.UTF_8);
    }

    /** A ticker that moves only when told to. Starts at an arbitrary non-zero value. */
    static final class FakeTicker implements Ticker {
        private long nanos = 123_456_789_000L;

        @Override
        public synchronized long nanos() {
            return nanos;
        }

        synchronized void advance(Duration d) {
            nanos += d.toNanos();
        }
    }

    /** A wall clock that moves only when told to. */
    static final class FakeClock implements InstantSource {
        private Instant now = Instant.parse("2015-07-29T03:00:00Z");

        @Override
        public synchronized Instant instant() {
            return now;
        }

        synchronized Instant advance(Duration d) {
            now = now.plus(d);
            return now;
        }
    }

    record Drop(String app, String reason, long records, long bytes) {}

    static final class RecordingDrops implements Drops {
        final List<Drop> drops = new ArrayList<>();

        @Override
        public synchronized void dropped(String app, String reason, long records, long bytes) {
            drops.add(new Drop(app, reason, records, bytes));
        }

        synchronized long records(String app) {
            return drops.stream()
                    .filter(d -> d.app().equals(app))
                    .mapToLong(Drop::records)
                    .sum();
        }
    }
}
