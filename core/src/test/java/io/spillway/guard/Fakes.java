package io.spillway.guard;

import io.spillway.admission.Drops;
import io.spillway.config.ConfigBinder;
import io.spillway.config.ConfigException;
import io.spillway.record.LogRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test doubles shared by the guard tests: a recording Drops, YAML binding. */
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
