package io.spillway.buffer;

import io.spillway.admission.Drops;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The drop ledger of a test: records per app and reason. Thread-safe. */
final class RecordingDrops implements Drops {
    final Map<String, AtomicLong> records = new ConcurrentHashMap<>();
    final Map<String, AtomicLong> bytes = new ConcurrentHashMap<>();

    @Override
    public void dropped(String app, String reason, long n, long b) {
        records.computeIfAbsent(app + "/" + reason, k -> new AtomicLong()).addAndGet(n);
        bytes.computeIfAbsent(app + "/" + reason, k -> new AtomicLong()).addAndGet(b);
    }

    long records(String app, String reason) {
        AtomicLong v = records.get(app + "/" + reason);
        return v == null ? 0 : v.get();
    }

    long recordsOf(String app) {
        long n = 0;
        for (Map.Entry<String, AtomicLong> e : records.entrySet()) {
            if (e.getKey().startsWith(app + "/")) {
                n += e.getValue().get();
            }
        }
        return n;
    }

    long total() {
        return records.values().stream().mapToLong(AtomicLong::get).sum();
    }
}
