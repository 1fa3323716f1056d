package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.spillway.FakeClock;
import io.spillway.Theories;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Random appends, reopens and queries against a simple in-memory model: per app, the list of records
 * in append order. Every query (time range, substring or regex, limit, both orders), paged through
 * with its cursor to the end, must return exactly the model's matching records in order.
 *
 * <p>The commands are a sealed {@link Op} interface; {@link #ops} builds sequences of them from
 * QuickTheories generators, so a failing sequence shrinks, and a falsified run prints the seed that
 * replays it ({@link Theories}).
 */
class LogStoreModelTest {
    private static final List<String> APPS = List.of("a", "b", "c");
    private static final List<String> WORDS = List.of("alpha", "beta", "ERROR", "gamma", "délta", "x");

    sealed interface Op permits Append, Reopen, Ask {}

    record Append(String app, List<Long> times, List<Integer> words, int padding) implements Op {}

    record Reopen() implements Op {}

    /** A query; {@code order}: 0 oldest first, 1 newest first (both by record time), 2 arrival. */
    record Ask(String app, long since, long until, int filter, int limit, int order) implements Op {}

    /** A falsified sequence shrinks for at most this many candidates: each one writes a real store. */
    static final int SHRINK_CYCLES = 1000;

    /** Sequences of 1 to 25 commands: appends of up to 300 records, reopens, and queries. */
    static Gen<List<Op>> ops() {
        Gen<String> app = Generate.pick(APPS);
        Gen<Op> append = app.zip(
                lists().of(longs().between(0, 1000)).ofSizeBetween(1, 300),
                lists().of(integers().between(0, WORDS.size() - 1)).ofSize(3),
                integers().between(0, 3000),
                Append::new);
        Gen<Long> since = longs().between(-10, 1000);
        Gen<Long> until = longs().between(0, 1100);
        Gen<Integer> filter = integers().between(0, 4);
        Gen<Integer> limit = integers().between(1, 200);
        Gen<Integer> order = integers().between(0, 2);
        Gen<Op> ask = in -> new Ask(
                app.generate(in),
                since.generate(in),
                until.generate(in),
                filter.generate(in),
                limit.generate(in),
                order.generate(in));
        Gen<Op> op = Generate.frequency(
                Pair.of(5, append), Pair.of(1, Generate.<Op>constant(new Reopen())), Pair.of(4, ask));
        return lists().of(op).ofSizeBetween(1, 25);
    }

    @Test
    void store_randomOps_matchesModel() {
        Theories.qt(60).withShrinkCycles(SHRINK_CYCLES).forAll(ops()).checkAssert(ops -> {
            try {
                run(ops);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static void run(List<Op> ops) throws IOException {
        Path dir = Files.createTempDirectory("store-model");
        Map<String, List<LogRecord>> model = new HashMap<>();
        FakeClock clock = FakeClock.ofEpochMilli(Stores.T0);
        StoreConfig config = Stores.small();
        LogStore store = LogStore.open(dir, config, new Metrics(), clock);
        try {
            int seq = 0;
            for (Op op : ops) {
                switch (op) {
                    case Append a -> {
                        List<LogRecord> batch = new ArrayList<>();
                        for (long t : a.times()) {
                            String msg = seq++ + " " + WORDS.get(a.words().get(0)) + " "
                                    + WORDS.get(a.words().get(1)) + " " + "p".repeat(a.padding() % (1 + seq % 7 * 500))
                                    + WORDS.get(a.words().get(2));
                            batch.add(Stores.record(a.app(), t * 1_000_000_000L, msg));
                        }
                        store.append(batch);
                        model.computeIfAbsent(a.app(), k -> new ArrayList<>()).addAll(batch);
                    }
                    case Reopen r -> {
                        store.close();
                        store = LogStore.open(dir, config, new Metrics(), clock);
                    }
                    case Ask q -> check(store, model.getOrDefault(q.app(), List.of()), q);
                }
            }
            for (String app : APPS) {
                for (int order = 0; order < 3; order++) {
                    check(store, model.getOrDefault(app, List.of()), new Ask(app, -10, 2000, 0, 10_000, order));
                }
            }
        } finally {
            store.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }

    private static Filter filter(int kind) {
        return switch (kind) {
            case 1 -> Filter.substring("ERROR");
            case 2 -> Filter.substring("délta x");
            case 3 -> Filter.regex("(alpha|gamma) beta");
            case 4 -> Filter.regex("^1\\d ");
            default -> null;
        };
    }

    private static void check(LogStore store, List<LogRecord> all, Ask q) {
        Filter f = filter(q.filter());
        long since = q.since() * 1_000_000_000L;
        long until = q.until() * 1_000_000_000L;
        List<LogRecord> want = new ArrayList<>(all.stream()
                .filter(r -> r.timestamp() >= since && r.timestamp() < until)
                .filter(r -> f == null || f.matches(r.messageText()))
                .toList());
        Query.Order order = Query.Order.values()[q.order()];
        // The model: the records in the order they were appended; the time orders sort them by
        // record time, stably, so records of the same time keep their arrival order (issue 15).
        if (order != Query.Order.ARRIVAL) {
            want.sort(java.util.Comparator.comparingLong(LogRecord::timestamp));
        }
        if (order == Query.Order.NEWEST_FIRST) {
            java.util.Collections.reverse(want);
        }
        List<LogRecord> got = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            QueryResult r = store.query(new Query(
                    q.app(),
                    Instant.ofEpochSecond(q.since()),
                    Instant.ofEpochSecond(q.until()),
                    f,
                    q.limit(),
                    order,
                    cursor));
            assertThat(r.stoppedEarly()).isNull();
            assertThat(r.records().size()).isLessThanOrEqualTo(q.limit());
            if (pages == 0) {
                assertThat(r.records())
                        .extracting(StoredRecord::record)
                        .isEqualTo(want.subList(0, Math.min(q.limit(), want.size())));
            }
            r.records().forEach(s -> got.add(s.record()));
            cursor = r.nextCursor();
            pages++;
        } while (cursor != null && pages < 10_000);
        assertThat(got).isEqualTo(want);
    }
}
