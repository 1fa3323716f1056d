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
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queries that decode blocks ahead on a {@link ScanPool} answer exactly as the sequential walk does:
 * same records, order, cursors, budget stops and scanned bytes; and a saturated or closed pool only
 * slows them down.
 */
class ParallelScanTest {
    @TempDir
    Path dir;

    final FakeClock clock = FakeClock.ofEpochMilli(Stores.T0);

    /** ~3 MB of records in 64 KiB chunks: many sealed chunks of a few blocks each, plus an active one. */
    private static List<LogRecord> history() {
        List<LogRecord> in = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            String msg = (i % 997 == 0 ? "needle " : "") + "line " + i + " " + "y".repeat(200 + i % 50);
            in.add(Stores.record("app", 1_000_000_000L + i * 1_000_000L, msg));
        }
        return in;
    }

    private static Query query(@Nullable Filter f, int limit, Query.Order order, @Nullable String cursor) {
        return new Query("app", null, null, f, limit, order, cursor);
    }

    /** Pages through everything; returns each page's cursors, next cursor, stop reason and bytes. */
    private static List<String> pages(
            LogStore s, @Nullable Filter f, int limit, Query.Order order, @Nullable ScanPool pool, int window) {
        List<String> out = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 10_000; page++) {
            QueryResult r = s.query(query(f, limit, order, cursor), pool, window);
            StringBuilder b = new StringBuilder();
            r.records()
                    .forEach(sr -> b.append(sr.cursor())
                            .append('=')
                            .append(sr.record().messageText())
                            .append(';'));
            out.add(b + " next=" + r.nextCursor() + " stopped=" + r.stoppedEarly() + " scanned=" + r.scannedBytes());
            if (r.nextCursor() == null) {
                return out;
            }
            cursor = r.nextCursor();
        }
        throw new AssertionError("no end after 10 000 pages");
    }

    @Test
    void query_parallel_sameRecordsOrderAndCursorsAsSequential() throws IOException {
        try (LogStore s = LogStore.open(dir, Stores.small(), new Metrics(), clock);
                ScanPool pool = new ScanPool(2, 8, "test-scan")) {
            s.append(history());
            s.awaitSeals();
            for (Query.Order order : Query.Order.values()) {
                for (Filter f : new Filter[] {
                    null, Filter.substring("needle"), Filter.substring("absent"), Filter.regex("line 1[0-9]*7 ")
                }) {
                    List<String> sequential = pages(s, f, 37, order, null, 1);
                    for (int window : new int[] {2, 5, 16}) {
                        assertThat(pages(s, f, 37, order, pool, window))
                                .as("order %s filter %s window %d", order, f == null ? null : f.text(), window)
                                .isEqualTo(sequential);
                    }
                }
            }
            // and every record exactly once, in order, through the pool
            List<String> all = pages(s, null, Query.MAX_LIMIT, Query.Order.OLDEST_FIRST, pool, 4);
            assertThat(String.join("", all).split(";")).hasSize(12_000 + 1);
            assertThat(pool.decoded())
                    .as("blocks decoded by the pool's threads")
                    .isPositive();
        }
    }

    @Test
    void query_parallelOverByteBudget_stopsWhereSequentialStops() throws IOException {
        StoreConfig c = Stores.withQuery(Stores.small(), Duration.ofSeconds(30), DataSize.ofMiB(1), 100);
        try (LogStore s = LogStore.open(dir, c, new Metrics(), clock);
                ScanPool pool = new ScanPool(2, 8, "test-scan")) {
            s.append(history());
            s.awaitSeals();
            for (Query.Order order : Query.Order.values()) {
                List<String> sequential = pages(s, Filter.substring("absent"), 10, order, null, 1);
                assertThat(sequential.size()).isGreaterThan(2);
                assertThat(sequential.get(0)).contains("stopped=byte_budget");
                assertThat(pages(s, Filter.substring("absent"), 10, order, pool, 8))
                        .isEqualTo(sequential);
            }
        }
    }

    @Test
    void query_parallelOverTimeBudget_stopsWhereSequentialStops() throws IOException {
        // Every read of the ticker advances it 1 ms: with a 50 ms budget a query stops after ~50 reads,
        // deterministically; the pool never reads the ticker, so the stops are the sequential ones.
        FakeClock ticker = new FakeClock();
        ticker.advanceOnEveryRead(Duration.ofMillis(1));
        StoreConfig c = Stores.withQuery(Stores.small(), Duration.ofMillis(50), DataSize.ofGiB(1), 100);
        try (LogStore s = LogStore.open(dir, c, new Metrics(), clock, ticker::nanos, 100);
                ScanPool pool = new ScanPool(2, 8, "test-scan")) {
            s.append(history());
            s.awaitSeals();
            for (Filter f : new Filter[] {null, Filter.substring("absent"), Filter.substring("needle")}) {
                List<String> sequential = pages(s, f, 5000, Query.Order.NEWEST_FIRST, null, 1);
                assertThat(String.join("\n", sequential)).contains("stopped=time_budget");
                assertThat(pages(s, f, 5000, Query.Order.NEWEST_FIRST, pool, 6)).isEqualTo(sequential);
            }
        }
    }

    @Test
    void query_poolSaturatedByManyQueries_allFinishCorrectAndQueueBounded() throws Exception {
        try (LogStore s = LogStore.open(dir, Stores.small(), new Metrics(), clock);
                ScanPool pool = new ScanPool(1, 2, "test-scan")) {
            s.append(history());
            s.awaitSeals();
            List<String> expected = pages(s, Filter.substring("needle"), 3, Query.Order.OLDEST_FIRST, null, 1);
            ExecutorService queries = Executors.newFixedThreadPool(24);
            try {
                List<Future<List<String>>> futures = new ArrayList<>();
                for (int i = 0; i < 48; i++) {
                    futures.add(queries.submit(
                            () -> pages(s, Filter.substring("needle"), 3, Query.Order.OLDEST_FIRST, pool, 16)));
                }
                for (Future<List<String>> f : futures) {
                    assertThat(f.get(5, TimeUnit.MINUTES)).isEqualTo(expected);
                    assertThat(pool.queued()).isLessThanOrEqualTo(2);
                }
            } finally {
                queries.shutdownNow();
            }
        }
    }

    @Test
    void query_poolClosed_queriesStillAnswer() throws IOException {
        try (LogStore s = LogStore.open(dir, Stores.small(), new Metrics(), clock)) {
            s.append(history());
            s.awaitSeals();
            ScanPool pool = new ScanPool(2, 8, "test-scan");
            pool.close();
            assertThat(pages(s, Filter.substring("needle"), 7, Query.Order.NEWEST_FIRST, pool, 4))
                    .isEqualTo(pages(s, Filter.substring("needle"), 7, Query.Order.NEWEST_FIRST, null, 1));
        }
    }
}
