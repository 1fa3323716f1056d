package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.FakeClock;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers page through an app while the writer appends, seals and evicts it (tiny caps): every page
 * must be in order, without duplicates or errors, whatever was evicted under it.
 */
class LogStoreConcurrencyTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void queries_duringAppendsSealsAndEvictions_consistent() throws Exception {
        StoreConfig c = Stores.config(DataSize.ofKiB(64), DataSize.ofKiB(512), DataSize.ofKiB(256), Map.of());
        try (LogStore s = LogStore.open(dir, c, new Metrics(), FakeClock.ofEpochMilli(Stores.T0))) {
            AtomicBoolean done = new AtomicBoolean();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                Query.Order order = t == 0 ? Query.Order.OLDEST_FIRST : Query.Order.NEWEST_FIRST;
                Thread r = new Thread(
                        () -> {
                            try {
                                while (!done.get()) {
                                    long prev = order == Query.Order.OLDEST_FIRST ? Long.MIN_VALUE : Long.MAX_VALUE;
                                    String cursor = null;
                                    int pages = 0;
                                    do {
                                        QueryResult p = s.query(new Query("app", null, null, null, 97, order, cursor));
                                        for (StoredRecord sr : p.records()) {
                                            long ts = sr.record().timestamp();
                                            if (order == Query.Order.OLDEST_FIRST ? ts <= prev : ts >= prev) {
                                                throw new AssertionError("out of order: " + ts + " after " + prev);
                                            }
                                            prev = ts;
                                        }
                                        cursor = p.nextCursor();
                                    } while (cursor != null && ++pages < 200);
                                }
                            } catch (Throwable e) {
                                errors.add(e);
                            }
                        },
                        "reader-" + t);
                r.start();
                readers.add(r);
            }
            long ts = 0;
            java.util.Random rnd = new java.util.Random(1);
            for (int batch = 0; batch < 300; batch++) {
                List<LogRecord> records = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    char[] noise = new char[200];
                    for (int k = 0; k < noise.length; k++) {
                        noise[k] = (char) ('a' + rnd.nextInt(26));
                    }
                    records.add(Stores.record("app", ts++, "line " + ts + " " + new String(noise)));
                }
                s.append(records);
            }
            done.set(true);
            for (Thread r : readers) {
                r.join();
            }
            assertThat(errors).isEmpty();
            assertThat(s.app("app").evictedBytes()).isPositive();
        }
    }
}
