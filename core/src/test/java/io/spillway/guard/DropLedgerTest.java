package io.spillway.guard;

import static io.spillway.guard.Fakes.config;
import static io.spillway.guard.Fakes.record;
import static io.spillway.guard.Fakes.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.FakeClock;
import io.spillway.admission.Admission;
import io.spillway.guard.DropLedger.Counts;
import io.spillway.guard.Fakes.Drop;
import io.spillway.guard.Fakes.RecordingDrops;
import io.spillway.pipeline.Stage;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DropLedgerTest {
    private final FakeClock clock = FakeClock.at("2015-07-29T03:00:00Z");
    private final RecordingDrops metrics = new RecordingDrops();

    private DropLedger ledger(String yaml) throws Exception {
        GuardConfig c = config(yaml);
        return new DropLedger(c.markers(), c.maxApps(), "host-1", clock, metrics);
    }

    @Test
    void flush_oneReason_markerTextAndFields() throws Exception {
        DropLedger ledger = ledger("");
        ledger.describeReason("rate_limit", app -> "rate limit 1 MiB/s");
        ledger.dropped("web", "rate_limit", 18_000, 127_000_000);
        ledger.dropped("web", "rate_limit", 342, 400_000);
        Instant now = clock.advance(Duration.ofSeconds(10));
        List<LogRecord> markers = ledger.flush(now);
        assertThat(markers).hasSize(1);
        LogRecord m = markers.get(0);
        assertThat(text(m)).isEqualTo("spillway: dropped 18342 lines (127.4 MB) in 10s: rate limit 1 MiB/s");
        assertThat(m.app()).isEqualTo("web");
        assertThat(m.host()).isEqualTo("host-1");
        assertThat(m.stream()).isEqualTo(LogStream.EVENT);
        assertThat(m.severity()).isEqualTo(Severity.WARNING);
        assertThat(m.timestamp()).isEqualTo(now.getEpochSecond() * 1_000_000_000L + now.getNano());
        assertThat(m.fields())
                .containsEntry("spillway", "drop_marker")
                .containsEntry("dropped_lines", "18342")
                .containsEntry("dropped_bytes", "127400000")
                .containsEntry("reasons", "rate_limit=18342");
    }

    @Test
    void droppedMarked_lossWithItsOwnMarker_countedInMetricsAndTotals_noSecondMarker() throws Exception {
        DropLedger ledger = ledger("");
        ledger.droppedMarked("web", "corrupt", 250, 251_000);
        ledger.dropped("api", "corrupt", 3, 300);

        List<LogRecord> markers = ledger.flush(clock.advance(Duration.ofSeconds(10)));

        assertThat(markers).extracting(LogRecord::app).containsExactly("api");
        assertThat(metrics.records("web")).isEqualTo(250);
        assertThat(ledger.snapshot().get("web")).containsEntry("corrupt", new Counts(250, 251_000));
    }

    @Test
    void flush_severalReasons_heaviestFirstWithCounts() throws Exception {
        DropLedger ledger = ledger("");
        ledger.describeReason("rate_limit", app -> "rate limit 1 MiB/s");
        ledger.dropped("web", "shed", 342, 2_400_000);
        ledger.dropped("web", "rate_limit", 18_000, 125_000_000);
        LogRecord m = ledger.flush(clock.advance(Duration.ofSeconds(10))).get(0);
        assertThat(text(m))
                .isEqualTo("spillway: dropped 18342 lines (127.4 MB) in 10s: rate limit 1 MiB/s (18000), shed (342)");
        assertThat(m.fields()).containsEntry("reasons", "rate_limit=18000,shed=342");
    }

    @Test
    void flush_manyDropsOfTwoApps_oneMarkerPerAppPerInterval() throws Exception {
        DropLedger ledger = ledger("");
        for (int i = 0; i < 1000; i++) {
            ledger.dropped("a", "shed", 1, 10);
            ledger.dropped("b", "buffer_full", 1, 10);
        }
        List<LogRecord> markers = ledger.flush(clock.advance(Duration.ofSeconds(10)));
        assertThat(markers).extracting(LogRecord::app).containsExactlyInAnyOrder("a", "b");
        assertThat(markers)
                .filteredOn(m -> m.app().equals("b"))
                .extracting(Fakes::text)
                .containsExactly("spillway: dropped 1000 lines (10.0 kB) in 10s: buffer full");
        ledger.dropped("a", "shed", 1, 10);
        List<LogRecord> next = ledger.flush(clock.advance(Duration.ofSeconds(10)));
        assertThat(next).extracting(Fakes::text).containsExactly("spillway: dropped 1 line (10 B) in 10s: shed");
    }

    @Test
    void flush_noDrops_noMarker() throws Exception {
        DropLedger ledger = ledger("");
        assertThat(ledger.flush(clock.advance(Duration.ofSeconds(10)))).isEmpty();
        ledger.dropped("web", "shed", 1, 1);
        assertThat(ledger.flush(clock.advance(Duration.ofSeconds(10)))).hasSize(1);
        assertThat(ledger.flush(clock.advance(Duration.ofSeconds(10)))).isEmpty();
    }

    @Test
    void flush_markersDisabled_noMarkerButCounted() throws Exception {
        DropLedger ledger = ledger("markers: {enabled: false}");
        ledger.dropped("web", "shed", 5, 50);
        assertThat(ledger.flush(clock.advance(Duration.ofSeconds(10)))).isEmpty();
        assertThat(ledger.snapshot()).containsEntry("web", Map.of("shed", new Counts(5, 50)));
        assertThat(metrics.drops).containsExactly(new Drop("web", "shed", 5, 50));
    }

    @Test
    void snapshot_totalsSurviveFlushes() throws Exception {
        DropLedger ledger = ledger("");
        ledger.dropped("web", "shed", 5, 50);
        ledger.flush(clock.advance(Duration.ofSeconds(10)));
        ledger.dropped("web", "shed", 1, 10);
        ledger.dropped("web", "rate_limit", 2, 20);
        ledger.dropped("api", "floor", 3, 30);
        ledger.flush(clock.advance(Duration.ofSeconds(10)));
        assertThat(ledger.snapshot())
                .isEqualTo(Map.of(
                        "web", Map.of("shed", new Counts(6, 60), "rate_limit", new Counts(2, 20)),
                        "api", Map.of("floor", new Counts(3, 30))));
    }

    @Test
    void dropped_everyDrop_passedToDelegate() throws Exception {
        DropLedger ledger = ledger("");
        ledger.dropped("web", "output_failed", 7, 700);
        assertThat(metrics.drops).containsExactly(new Drop("web", "output_failed", 7, 700));
    }

    @Test
    void dropped_moreAppsThanBound_restCountedAsOtherMarkerInSpillwayStream() throws Exception {
        DropLedger ledger = ledger("max_apps: 10");
        for (int i = 0; i < 25; i++) {
            ledger.dropped("app-" + i, "shed", 1, 100);
        }
        List<LogRecord> markers = ledger.flush(clock.advance(Duration.ofSeconds(10)));
        assertThat(markers).hasSize(11);
        LogRecord other = markers.stream()
                .filter(m -> m.app().equals(AppNames.SPILLWAY))
                .findFirst()
                .orElseThrow();
        assertThat(text(other)).startsWith("spillway: dropped 15 lines (1.5 kB) in 10s from apps beyond");
        Map<String, Map<String, Counts>> snapshot = ledger.snapshot();
        assertThat(snapshot.get(DropLedger.OTHER_APPS)).containsEntry("shed", new Counts(15, 1500));
        long total = snapshot.values().stream()
                .flatMap(m -> m.values().stream())
                .mapToLong(Counts::records)
                .sum();
        assertThat(total).isEqualTo(25);
    }

    @Test
    void flush_tableNearlyFull_quietAppsForgottenTotalsKept() throws Exception {
        DropLedger ledger = ledger("max_apps: 10");
        for (int i = 0; i < 10; i++) {
            ledger.dropped("app-" + i, "shed", 1, 1);
        }
        ledger.flush(clock.advance(Duration.ofSeconds(10)));
        ledger.dropped("app-0", "shed", 1, 1);
        ledger.flush(clock.advance(Duration.ofSeconds(10)));
        Map<String, Map<String, Counts>> snapshot = ledger.snapshot();
        assertThat(snapshot.size()).isLessThanOrEqualTo(8 + 1);
        assertThat(snapshot).containsKey("app-0");
        long total = snapshot.values().stream()
                .flatMap(m -> m.values().stream())
                .mapToLong(Counts::records)
                .sum();
        assertThat(total).isEqualTo(11);
        // A forgotten app that drops again is tracked afresh and gets its marker.
        ledger.dropped("app-9", "shed", 1, 1);
        assertThat(ledger.flush(clock.advance(Duration.ofSeconds(10))))
                .extracting(LogRecord::app)
                .containsExactly("app-9");
    }

    @Test
    void flush_intervalNotRound_printedInWholeSeconds() throws Exception {
        DropLedger ledger = ledger("");
        ledger.dropped("web", "shed", 2, 20);
        assertThat(text(ledger.flush(clock.advance(Duration.ofMillis(10_400))).get(0)))
                .isEqualTo("spillway: dropped 2 lines (20 B) in 10s: shed");
    }

    @Test
    void guard_rateLimitDrops_markerNamesTheLimitAndBypassesStages() throws Exception {
        GuardConfig c = config("""
                rate_limit: {lines_per_second: 5, burst: 1s}
                apps:
                  big-*: {rate_limit: {bytes_per_second: 1KiB, lines_per_second: 0}}
                """);
        DropLedger ledger = new DropLedger(c.markers(), c.maxApps(), "host-1", clock, metrics);
        FakeClock ticker = new FakeClock();
        Guard guard = Guard.create(c, ledger, ticker);
        for (int i = 0; i < 8; i++) {
            run(guard.stages(), record("web", "line " + i));
            run(guard.stages(), record("big-1", "y".repeat(600)));
        }
        List<LogRecord> markers = ledger.flush(clock.advance(Duration.ofSeconds(10)));
        assertThat(markers)
                .extracting(Fakes::text)
                .containsExactlyInAnyOrder(
                        "spillway: dropped 3 lines (18 B) in 10s: rate limit 5 lines/s",
                        "spillway: dropped 7 lines (4.2 kB) in 10s: rate limit 1 KiB/s");
        // The app is over its limit, and its marker would still be refused if it went through the
        // stages: that is why the ledger delivers to the buffers directly.
        assertThat(guard.rateLimit().overLimit("web")).isTrue();
        LogRecord webMarker =
                markers.stream().filter(m -> m.app().equals("web")).findFirst().orElseThrow();
        assertThat(run(guard.stages(), webMarker)).isNull();
    }

    @Test
    void guard_repeatDrops_markerSaysRepeatedLines() throws Exception {
        GuardConfig c = config("repeat: {enabled: true, after: 2}");
        DropLedger ledger = new DropLedger(c.markers(), c.maxApps(), "host-1", clock, metrics);
        Guard guard = Guard.create(c, ledger, new FakeClock());
        for (int i = 0; i < 12; i++) {
            run(guard.stages(), record("web", "retrying in 1ms"));
        }
        assertThat(ledger.flush(clock.advance(Duration.ofSeconds(10))))
                .extracting(Fakes::text)
                .containsExactly("spillway: dropped 10 lines (150 B) in 10s: repeated lines");
    }

    @Test
    void runOnce_started_deliversMarkersToSinkAndStopFlushesLast() throws Exception {
        DropLedger ledger = ledger("");
        List<LogRecord> sink = new ArrayList<>();
        ledger.start(r -> {
            synchronized (sink) {
                sink.add(r);
            }
            return Admission.ACCEPTED;
        });
        try {
            ledger.dropped("web", "shed", 1, 1);
            clock.advance(Duration.ofSeconds(10));
            assertThat(ledger.runOnce()).isEqualTo(1);
            ledger.dropped("api", "shed", 1, 1);
        } finally {
            ledger.stop();
        }
        synchronized (sink) {
            assertThat(sink).extracting(LogRecord::app).containsExactly("web", "api");
        }
    }

    @Test
    void flush_concurrentDrops_eachCountedInExactlyOneMarker() throws Exception {
        DropLedger ledger = ledger("max_apps: 3");
        int threads = 4;
        int perThread = 50_000;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    ledger.dropped("app-" + ((id + i) % 6), i % 2 == 0 ? "shed" : "rate_limit", 1, 3);
                }
            }));
        }
        long seen = 0;
        while (workers.stream().anyMatch(Thread::isAlive)) {
            seen += lines(ledger.flush(clock.advance(Duration.ofSeconds(1))));
        }
        for (Thread w : workers) {
            w.join();
        }
        seen += lines(ledger.flush(clock.advance(Duration.ofSeconds(1))));
        assertThat(seen).isEqualTo((long) threads * perThread);
        long total = ledger.snapshot().values().stream()
                .flatMap(m -> m.values().stream())
                .mapToLong(Counts::records)
                .sum();
        assertThat(total).isEqualTo((long) threads * perThread);
    }

    private static long lines(List<LogRecord> markers) {
        return markers.stream()
                .mapToLong(m -> Long.parseLong(m.fields().get("dropped_lines")))
                .sum();
    }

    private static LogRecord run(List<Stage> stages, LogRecord r) {
        LogRecord out = r;
        for (Stage s : stages) {
            out = s.apply(out);
            if (out == null) {
                return null;
            }
        }
        return out;
    }
}
