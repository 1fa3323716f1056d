package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;

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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random appends, reopens and queries against a simple in-memory model: per app, the list of records
 * in append order. Every query (time range, substring or regex, limit, both orders), paged through
 * with its cursor to the end, must return exactly the model's matching records in order.
 */
class LogStoreModelTest {
    private static final List<String> APPS = List.of("a", "b", "c");
    private static final List<String> WORDS = List.of("alpha", "beta", "ERROR", "gamma", "délta", "x");

    sealed interface Op permits Append, Reopen, Ask {}

    record Append(String app, List<Long> times, List<Integer> words, int padding) implements Op {}

    record Reopen() implements Op {}

    record Ask(String app, long since, long until, int filter, int limit, boolean newestFirst) implements Op {}

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> append = Combinators.combine(
                        Arbitraries.of(APPS),
                        Arbitraries.longs().between(0, 1000).list().ofMinSize(1).ofMaxSize(300),
                        Arbitraries.integers()
                                .between(0, WORDS.size() - 1)
                                .list()
                                .ofSize(3),
                        Arbitraries.integers().between(0, 3000))
                .as((app, times, words, pad) -> new Append(app, times, words, pad));
        Arbitrary<Op> ask = Combinators.combine(
                        Arbitraries.of(APPS),
                        Arbitraries.longs().between(-10, 1000),
                        Arbitraries.longs().between(0, 1100),
                        Arbitraries.integers().between(0, 4),
                        Arbitraries.integers().between(1, 200),
                        Arbitraries.of(true, false))
                .as((app, since, until, filter, limit, newest) -> new Ask(app, since, until, filter, limit, newest));
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(5, append),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just(new Reopen())),
                        net.jqwik.api.Tuple.of(4, ask))
                .list()
                .ofMinSize(1)
                .ofMaxSize(25);
    }

    @Property(tries = 60)
    void store_randomOps_matchesModel(@ForAll("ops") List<Op> ops) throws IOException {
        Path dir = Files.createTempDirectory("store-model");
        Map<String, List<LogRecord>> model = new HashMap<>();
        FakeClock clock = new FakeClock(Stores.T0);
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
                check(store, model.getOrDefault(app, List.of()), new Ask(app, -10, 2000, 0, 10_000, false));
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
        if (q.newestFirst()) {
            java.util.Collections.reverse(want);
        }
        Query.Order order = q.newestFirst() ? Query.Order.NEWEST_FIRST : Query.Order.OLDEST_FIRST;
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
