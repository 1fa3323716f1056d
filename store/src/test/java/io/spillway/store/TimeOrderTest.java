package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.FakeClock;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Newest" and "oldest" are by record time, not by arrival (issue 15): rsyslog's several connections,
 * retries and stdout against stderr all store records out of time order.
 */
class TimeOrderTest {
    @TempDir
    Path dir;

    final FakeClock clock = FakeClock.ofEpochMilli(Stores.T0);

    /** N records over many 64 KiB chunks, stored in an order that is not their time order. */
    private List<LogRecord> outOfOrder(int n, int pad) {
        List<LogRecord> in = new ArrayList<>();
        Random r = new Random(42);
        for (int i = 0; i < n; i++) {
            // Mostly increasing, with records up to 5 s late, and a burst of retried old ones.
            long ts = i * 10_000_000L - (r.nextInt(10) == 0 ? r.nextInt(5_000) * 1_000_000L : 0);
            if (i >= 2000 && i < 2050) {
                ts = (i - 2000) * 1_000_000L; // retried after an outage: the oldest records, stored late
            }
            in.add(Stores.record("app", Math.max(0, ts), "m-" + i + " " + "x".repeat(pad)));
        }
        return in;
    }

    int stoppedEarly;

    private List<LogRecord> pages(LogStore s, Query.Order order, int limit) {
        List<LogRecord> got = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            QueryResult r = s.query(new Query("app", null, null, null, limit, order, cursor));
            r.records().forEach(x -> got.add(x.record()));
            if (r.stoppedEarly() != null) {
                stoppedEarly++;
            }
            cursor = r.nextCursor();
            assertThat(++pages).isLessThan(10_000);
        } while (cursor != null);
        return got;
    }

    @Test
    void newestAndOldest_recordsStoredOutOfTimeOrder_comeByTimeTiesByArrival() throws IOException {
        List<LogRecord> in = outOfOrder(3000, 100);
        List<LogRecord> byTime = new ArrayList<>(in);
        byTime.sort(Comparator.comparingLong(LogRecord::timestamp)); // stable: ties keep arrival order
        try (LogStore s = LogStore.open(dir, Stores.small(), new Metrics(), clock)) {
            s.append(in);
            QueryResult newest = s.query(new Query("app", null, null, null, 3, Query.Order.NEWEST_FIRST, null));
            assertThat(newest.records())
                    .extracting(StoredRecord::record)
                    .isEqualTo(byTime.reversed().subList(0, 3));
            QueryResult oldest = s.query(new Query("app", null, null, null, 5, Query.Order.OLDEST_FIRST, null));
            assertThat(oldest.records())
                    .as("the retried records are the oldest, though stored late")
                    .extracting(StoredRecord::record)
                    .isEqualTo(byTime.subList(0, 5));
            assertThat(pages(s, Query.Order.OLDEST_FIRST, 77)).isEqualTo(byTime);
            assertThat(pages(s, Query.Order.NEWEST_FIRST, 77)).isEqualTo(byTime.reversed());
            assertThat(pages(s, Query.Order.ARRIVAL, 77)).isEqualTo(in);
        }
    }

    @Test
    void timeOrder_byteBudgetStopsEveryPage_everyRecordOnceAndProgress() throws IOException {
        List<LogRecord> in = outOfOrder(20_000, 300); // ~6 MB against a 1 MiB scan budget per page
        StoreConfig c = Stores.withQuery(Stores.small(), Duration.ofSeconds(30), DataSize.ofMiB(1), 100);
        try (LogStore s = LogStore.open(dir, c, new Metrics(), clock)) {
            s.append(in);
            for (Query.Order order : List.of(Query.Order.NEWEST_FIRST, Query.Order.OLDEST_FIRST)) {
                stoppedEarly = 0;
                List<LogRecord> got = pages(s, order, Query.MAX_LIMIT);
                assertThat(stoppedEarly)
                        .as(order + ": pages the byte budget stopped")
                        .isPositive();
                assertThat(got).as(order + ": every record, once").hasSize(in.size());
                assertThat(got).containsExactlyInAnyOrderElementsOf(in);
            }
        }
    }
}
