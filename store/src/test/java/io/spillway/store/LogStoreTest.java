package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.FakeClock;
import io.spillway.config.DataSize;
import io.spillway.metrics.Metrics;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStoreTest {
    @TempDir
    Path dir;

    final FakeClock clock = FakeClock.ofEpochMilli(Stores.T0);

    LogStore open(StoreConfig c) throws IOException {
        return LogStore.open(dir, c, new Metrics(), clock);
    }

    @Test
    void append_everyField_readBackIdentical() throws IOException {
        LogRecord r = new LogRecord(
                123_456_789_012_345L,
                "höst",
                "web",
                "src/1",
                LogStream.EVENT,
                Severity.WARNING,
                "héllo \u0000 wörld 🚀".getBytes(StandardCharsets.UTF_8),
                Map.of("a", "1", "ü", "ö"));
        LogRecord unknown = new LogRecord(-5, "", "web", "", LogStream.STDOUT, Severity.UNKNOWN, new byte[0], Map.of());
        try (LogStore s = open(Stores.small())) {
            s.append(List.of(r, unknown));
            assertThat(Stores.all(s, "web")).containsExactly(r, unknown);
        }
        try (LogStore s = open(Stores.small())) {
            assertThat(Stores.all(s, "web")).containsExactly(r, unknown);
        }
    }

    @Test
    void append_manyChunks_sealedAndActiveReadInOrder() throws IOException {
        List<LogRecord> in = Stores.records("api", 5000, Stores.T0 * 1_000_000L, 200);
        try (LogStore s = open(Stores.small())) {
            s.append(in.subList(0, 2500));
            s.append(in.subList(2500, 5000));
            assertThat(Stores.all(s, "api")).isEqualTo(in); // while chunks wait for the seal thread
            s.awaitSeals();
            AppLog a = appLog(s, "api");
            assertThat(a.sealed).hasSizeGreaterThan(5);
            assertThat(a.active).isNotNull();
            assertThat(Stores.all(s, "api")).isEqualTo(in);
            AppSummary sum = s.app("api");
            assertThat(sum).isNotNull();
            assertThat(sum.records()).isEqualTo(5000);
            assertThat(sum.oldest()).isEqualTo(AppLog.instant(in.get(0).timestamp()));
            assertThat(sum.newest()).isEqualTo(AppLog.instant(in.get(4999).timestamp()));
            assertThat(sum.bytesStored()).isLessThan(sum.bytesRaw());
        }
        try (LogStore s = open(Stores.small())) {
            assertThat(Stores.all(s, "api")).isEqualTo(in);
        }
    }

    static AppLog appLog(LogStore s, String app) {
        try {
            var f = LogStore.class.getDeclaredField("apps");
            f.setAccessible(true);
            @SuppressWarnings("unchecked")
            Map<String, AppLog> m = (Map<String, AppLog>) f.get(s);
            return m.get(app);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void pendingSeals_boundedByAnEighthOfMaxTotalAnd256MiB() {
        assertThat(LogStore.pendingSeals(StoreConfig.defaults())).isEqualTo(64); // 256 MiB / 4 MiB
        assertThat(LogStore.pendingSeals(
                        Stores.config(DataSize.ofMiB(4), DataSize.ofMiB(64), DataSize.ofMiB(32), Map.of())))
                .isEqualTo(2); // 8 MiB / 4 MiB
        assertThat(LogStore.pendingSeals(
                        Stores.config(DataSize.ofMiB(16), DataSize.ofGiB(1), DataSize.ofMiB(512), Map.of())))
                .isEqualTo(8); // 128 MiB / 16 MiB
        assertThat(LogStore.pendingSeals(
                        Stores.config(DataSize.ofKiB(64), DataSize.ofGiB(8), DataSize.ofGiB(1), Map.of())))
                .isEqualTo(LogStore.MAX_PENDING_SEALS);
    }

    @Test
    void append_manyAppsRotatingTogether_unsealedChunksStayBoundedAndSyncKeepsAll() throws IOException {
        // 64 KiB chunks and 40 apps filling them at the same pace: every app rotates in the same batch,
        // far more chunks than the bound of 2 (max_total 1 MiB / 8 / 64 KiB) at once.
        StoreConfig c = Stores.config(DataSize.ofKiB(64), DataSize.ofMiB(1), DataSize.ofKiB(512), Map.of());
        int bound = LogStore.pendingSeals(c);
        assertThat(bound).isEqualTo(2);
        int apps = 40;
        int perApp = 600; // ~120 KiB of 200-byte records: two rotations per app
        try (LogStore s = open(c)) {
            for (int i = 0; i < perApp; i += 50) {
                List<LogRecord> batch = new ArrayList<>();
                for (int a = 0; a < apps; a++) {
                    batch.addAll(Stores.records("app-" + a, 50, (long) i * 1_000_000L, 200));
                }
                s.append(batch);
                // an active chunk per app, plus at most `bound` full ones waiting for the seal thread
                assertThat(openFiles()).isLessThanOrEqualTo(apps + bound);
            }
            s.sync();
        }
        try (LogStore s = open(c)) {
            long total = 0;
            for (int a = 0; a < apps; a++) {
                total += Stores.all(s, "app-" + a).size();
            }
            // retention (1 MiB in all) may have evicted whole sealed chunks, never an unsealed record
            assertThat(total).isPositive();
            for (int a = 0; a < apps; a++) {
                List<LogRecord> got = Stores.all(s, "app-" + a);
                // what is left of an app is a suffix of what it sent, in order
                for (int k = 1; k < got.size(); k++) {
                    assertThat(got.get(k).timestamp())
                            .isGreaterThan(got.get(k - 1).timestamp());
                }
                assertThat(got.get(got.size() - 1).timestamp()).isEqualTo((long) (perApp - 1) * 1_000_000L);
            }
        }
    }

    @Test
    void append_manyRotationsWithoutSync_rotatedChunksAreNotHeldForever() throws IOException {
        // fsync_on_flush: false means no sync() at all; what the store remembers for the next sync
        // must still stay bounded by the chunks that wait for the seal thread.
        try (LogStore s = open(Stores.small())) {
            int bound = LogStore.pendingSeals(Stores.small());
            for (int i = 0; i < 100; i++) {
                s.append(Stores.records("busy", 400, (long) i * 400_000_000L, 200)); // > one 64 KiB chunk
                s.awaitSeals();
                assertThat(s.unforcedRotations()).isLessThanOrEqualTo(bound + 1);
            }
            assertThat(Stores.all(s, "busy")).hasSize(100 * 400);
        }
    }

    /** Active and waiting chunks on disk; names only, as the seal thread deletes files meanwhile. */
    private long openFiles() {
        long n = 0;
        String[] apps = dir.toFile().list();
        for (String app : apps == null ? new String[0] : apps) {
            String[] files = dir.resolve(app).toFile().list();
            for (String f : files == null ? new String[0] : files) {
                if (f.endsWith(ActiveChunk.SUFFIX)) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void query_timeRangeGrepLimitOrders_matchModel() throws IOException {
        List<LogRecord> in = new ArrayList<>();
        long base = Stores.T0 * 1_000_000L;
        for (int i = 0; i < 3000; i++) {
            String m = (i % 7 == 0 ? "ERROR boom " : "info ok ") + i + " " + "y".repeat(100);
            in.add(Stores.record("svc", base + i * 1_000_000_000L, m));
        }
        try (LogStore s = open(Stores.small())) {
            s.append(in);
            Instant since = AppLog.instant(base + 500 * 1_000_000_000L);
            Instant until = AppLog.instant(base + 2500 * 1_000_000_000L);
            QueryResult r = s.query(
                    new Query("svc", since, until, Filter.substring("ERROR"), 50, Query.Order.OLDEST_FIRST, null));
            List<LogRecord> want = in.subList(500, 2500).stream()
                    .filter(x -> x.messageText().contains("ERROR"))
                    .toList();
            assertThat(r.records()).extracting(StoredRecord::record).isEqualTo(want.subList(0, 50));
            assertThat(r.nextCursor()).isNotNull();
            assertThat(r.stoppedEarly()).isNull();
            QueryResult rev = s.query(
                    new Query("svc", since, until, Filter.regex("ERR.R b[o]+m"), 10, Query.Order.NEWEST_FIRST, null));
            assertThat(rev.records())
                    .extracting(StoredRecord::record)
                    .isEqualTo(want.reversed().subList(0, 10));
            // pagination in both orders covers the range exactly once
            for (Query.Order o : Query.Order.values()) {
                List<LogRecord> got = new ArrayList<>();
                String cursor = null;
                do {
                    QueryResult p = s.query(new Query("svc", since, until, Filter.substring("ERROR"), 33, o, cursor));
                    p.records().forEach(x -> got.add(x.record()));
                    cursor = p.nextCursor();
                } while (cursor != null);
                assertThat(got).isEqualTo(o == Query.Order.NEWEST_FIRST ? want.reversed() : want);
            }
        }
    }

    @Test
    void query_unknownAppOrBadCursor_emptyOrRejected() throws IOException {
        try (LogStore s = open(Stores.small())) {
            assertThat(s.query(new Query("nobody", null, null, null, 10, Query.Order.OLDEST_FIRST, null))
                            .records())
                    .isEmpty();
            assertThat(s.app("nobody")).isNull();
            assertThatThrownBy(() -> s.query(new Query("x", null, null, null, 10, Query.Order.OLDEST_FIRST, "%%%")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cursor");
        }
    }

    @Test
    void query_pathologicalRegex_stopsWithTimeBudget() throws IOException {
        FakeClock ticker = new FakeClock();
        ticker.advanceOnEveryRead(Duration.ofMillis(1));
        // Every read of the ticker advances it 1 ms: the 200 ms budget runs out after ~200 reads,
        // deterministically, however fast or slow the machine is.
        StoreConfig c = Stores.withQuery(Stores.small(), Duration.ofMillis(200), DataSize.ofGiB(1), 100);
        try (LogStore s = LogStore.open(dir, c, new Metrics(), clock, ticker::nanos, 100)) {
            String evil = "a".repeat(5000);
            s.append(Stores.records("app", 10, 0, 50));
            s.append(Stores.record("app", 1_000_000_000L, evil));
            s.append(Stores.records("app", 10, 2_000_000_000L, 50));
            QueryResult r =
                    s.query(new Query("app", null, null, Filter.regex("(a+)+b"), 100, Query.Order.OLDEST_FIRST, null));
            assertThat(r.stoppedEarly()).isEqualTo("time_budget");
            assertThat(r.nextCursor()).isNotNull();
            // continuing makes progress past the pathological record
            QueryResult next = s.query(new Query(
                    "app", null, null, Filter.regex("(a+)+b"), 100, Query.Order.OLDEST_FIRST, r.nextCursor()));
            assertThat(next.stoppedEarly()).isNull();
            assertThat(next.nextCursor()).isNull();
        }
    }

    @Test
    void reopen_recordsOfEveryStream_allRecoveredFromTheOpenChunk() throws IOException {
        // The recovery's plausibility check must know every stream the format can carry (syslog
        // records are stream unknown): a record it does not know is cut as corrupt.
        List<LogRecord> in = new ArrayList<>();
        for (io.spillway.record.LogStream stream : io.spillway.record.LogStream.values()) {
            LogRecord r = Stores.record("streams", 1_000_000L * (in.size() + 1), "line of " + stream);
            in.add(new LogRecord(
                    r.timestamp(), r.host(), r.app(), r.source(), stream, r.severity(), r.messageBytes(), r.fields()));
        }
        try (LogStore s = open(Stores.small())) {
            s.append(in);
        }
        try (LogStore s = open(Stores.small())) {
            assertThat(Stores.all(s, "streams")).isEqualTo(in);
        }
    }

    @Test
    void query_pathologicalRegex_realClock_returnsWithinBudget() throws IOException {
        StoreConfig c = Stores.withQuery(Stores.small(), Duration.ofMillis(300), DataSize.ofGiB(1), 100);
        try (LogStore s = open(c)) {
            s.append(Stores.record("app", 1, "a".repeat(100_000)));
            QueryResult r =
                    s.query(new Query("app", null, null, Filter.regex("(a+)+b"), 100, Query.Order.OLDEST_FIRST, null));
            assertThat(r.stoppedEarly()).isEqualTo("time_budget");
        }
    }

    @Test
    void query_scanOverBudget_stopsWithByteBudgetAndContinues() throws IOException {
        StoreConfig c = Stores.withQuery(Stores.small(), Duration.ofSeconds(30), DataSize.ofMiB(1), 100);
        List<LogRecord> in = Stores.records("big", 20_000, 0, 300); // ~6 MB raw
        try (LogStore s = open(c)) {
            s.append(in);
            QueryResult r = s.query(
                    new Query("big", null, null, Filter.substring("never-there"), 10, Query.Order.OLDEST_FIRST, null));
            assertThat(r.stoppedEarly()).isEqualTo("byte_budget");
            assertThat(r.scannedBytes()).isLessThanOrEqualTo(DataSize.ofMiB(1).bytes());
            int pages = 1;
            String cursor = r.nextCursor();
            while (cursor != null) {
                QueryResult p = s.query(new Query(
                        "big", null, null, Filter.substring("never-there"), 10, Query.Order.OLDEST_FIRST, cursor));
                assertThat(p.records()).isEmpty();
                cursor = p.nextCursor();
                pages++;
                assertThat(pages).isLessThan(50);
            }
            assertThat(pages).isGreaterThan(4);
        }
    }

    @Test
    void retention_noisyAppFloods_quietAppKeepsHistory() throws IOException {
        // 64 KiB chunks, 1 MiB in all, 512 KiB per app at most.
        StoreConfig c = Stores.config(DataSize.ofKiB(64), DataSize.ofMiB(1), DataSize.ofKiB(512), Map.of());
        try (LogStore s = open(c)) {
            List<LogRecord> quiet = Stores.records("quiet", 300, 0, 200);
            s.append(quiet);
            for (int i = 0; i < 40; i++) { // ~ 40 * 500 * 1 KiB = 20 MB of noise, poorly compressible
                s.append(noise("noisy", i, 500));
            }
            s.settle();
            assertThat(s.totalBytes()).isLessThanOrEqualTo(c.maxTotal().bytes());
            assertThat(Stores.all(s, "quiet")).isEqualTo(quiet);
            AppSummary noisy = s.app("noisy");
            assertThat(noisy).isNotNull();
            assertThat(noisy.bytesStored()).isLessThanOrEqualTo(c.maxPerApp().bytes());
            assertThat(noisy.evictedBytes()).isPositive();
            assertThat(s.app("quiet").evictedBytes()).isZero();
            // many noisy apps together push past the global cap: the heaviest loses first,
            // the quiet app (always the lightest) keeps its history
            for (int i = 0; i < 20; i++) {
                s.append(noise("noisy-" + (i % 4), i, 300));
            }
            s.settle();
            assertThat(s.totalBytes()).isLessThanOrEqualTo(c.maxTotal().bytes());
            assertThat(Stores.all(s, "quiet")).isEqualTo(quiet);
        }
    }

    @Test
    void retention_perAppOverride_appliesByGlob() throws IOException {
        StoreConfig c = Stores.config(
                DataSize.ofKiB(64), DataSize.ofMiB(4), DataSize.ofMiB(2), Map.of("web-*", DataSize.ofKiB(128)));
        try (LogStore s = open(c)) {
            for (int i = 0; i < 10; i++) {
                s.append(noise("web-1", i, 300));
                s.append(noise("db", i, 300));
            }
            s.settle();
            assertThat(s.app("web-1").bytesStored())
                    .isLessThanOrEqualTo(DataSize.ofKiB(128).bytes());
            assertThat(s.app("db").bytesStored())
                    .isGreaterThan(DataSize.ofKiB(128).bytes());
        }
    }

    @Test
    void retention_byAge_dropsOldChunksOnly() throws IOException {
        StoreConfig c = Stores.withAges(Stores.small(), Duration.ofHours(2), Duration.ofMinutes(10));
        try (LogStore s = open(c)) {
            s.append(Stores.records("old", 100, 0, 100));
            clock.advance(Duration.ofMinutes(11));
            s.maintain(); // seals the chunk by chunk_max_age
            s.awaitSeals();
            assertThat(appLog(s, "old").sealed).hasSize(1);
            clock.advance(Duration.ofMinutes(100));
            s.append(Stores.records("new", 100, 0, 100));
            s.maintain();
            assertThat(s.app("old").records()).isEqualTo(100); // 111 min < 2 h
            clock.advance(Duration.ofMinutes(10));
            s.maintain();
            assertThat(s.app("old").records()).isZero();
            assertThat(s.app("old").evictedBytes()).isPositive();
            assertThat(s.app("new").records()).isEqualTo(100);
        }
    }

    /** Poorly compressible lines, so bytes on disk grow like bytes in. */
    static List<LogRecord> noise(String app, int seed, int n) {
        java.util.Random rnd = new java.util.Random(seed * 31L + app.hashCode());
        List<LogRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[1000];
            for (int k = 0; k < b.length; k++) {
                b[k] = (byte) ('a' + rnd.nextInt(26));
            }
            out.add(Stores.record(app, (long) seed * 1_000_000_000L + i, new String(b, StandardCharsets.US_ASCII)));
        }
        return out;
    }

    @Test
    void recovery_tornTailAndGarbage_cutAtLastValidRecord() throws IOException {
        List<LogRecord> in = Stores.records("app", 50, 0, 100);
        Path active;
        try (LogStore s = open(Stores.small())) {
            s.append(in);
            s.sync();
            active = appLog(s, "app").active.path;
        }
        long size = Files.size(active);
        // a torn last frame: cut it in half
        try (var ch = java.nio.channels.FileChannel.open(active, StandardOpenOption.WRITE)) {
            ch.truncate(size - 30);
        }
        try (LogStore s = open(Stores.small())) {
            assertThat(Stores.all(s, "app")).isEqualTo(in.subList(0, 49));
            s.append(in.get(49));
            assertThat(Stores.all(s, "app")).isEqualTo(in);
        }
        // garbage appended after valid frames
        Files.write(
                active,
                "garbage that is not a frame at all, really not".getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.APPEND);
        byte[] bogusFrame = new byte[] {0, 0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};
        Files.write(active, bogusFrame, StandardOpenOption.APPEND);
        try (LogStore s = open(Stores.small())) {
            assertThat(LogStoreCorruptionTest.records(Stores.all(s, "app"))).isEqualTo(in);
            s.append(Stores.record("app", 99, "after"));
        }
        try (LogStore s = open(Stores.small())) {
            assertThat(LogStoreCorruptionTest.records(Stores.all(s, "app"))).hasSize(51);
        }
    }

    @Test
    void recovery_halfWrittenSealedChunk_removedAndActiveKept() throws IOException {
        List<LogRecord> in = Stores.records("app", 50, 0, 100);
        Path appDir;
        try (LogStore s = open(Stores.small())) {
            s.append(in);
            s.sync();
            appDir = appLog(s, "app").dir;
        }
        // A crash in the middle of sealing chunk 0 leaves a partial .tmp beside the .open
        Files.write(appDir.resolve(SealedChunk.name(0) + SealedChunk.TMP_SUFFIX), new byte[] {'S', 'P', 'W', '1', 9});
        // and a crash after rename but before the delete leaves both .zst and .open
        byte[] frames;
        try (Stream<Path> files = Files.list(appDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).contains(SealedChunk.name(0) + ".open");
        }
        try (LogStore s = open(Stores.small())) {
            assertThat(Stores.all(s, "app")).isEqualTo(in);
        }
        try (Stream<Path> files = Files.list(appDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(f -> f.endsWith(".tmp"));
        }
        frames = Files.readAllBytes(appDir.resolve(SealedChunk.name(0) + ".open"));
        SealedChunk.write(appDir, 0, frames, 0, 3);
        try (LogStore s = open(Stores.small())) {
            assertThat(Stores.all(s, "app")).isEqualTo(in);
            assertThat(appLog(s, "app").active).isNull();
            assertThat(appLog(s, "app").sealed).hasSize(1);
        }
        assertThat(appDir.resolve(SealedChunk.name(0) + ".open")).doesNotExist();
    }

    @Test
    void seal_fails_recordsStayReadableAndSealRetried() throws IOException {
        List<LogRecord> in = Stores.records("app", 700, 0, 100); // just over one 64 KiB chunk
        try (LogStore s = open(Stores.small())) {
            Path appDir = dir.resolve("app");
            Path blocker = appDir.resolve(SealedChunk.name(0) + SealedChunk.TMP_SUFFIX);
            Files.createDirectories(blocker); // a non-empty directory where the seal writes its tmp file
            Files.writeString(blocker.resolve("x"), "x");
            s.append(in);
            s.awaitSeals();
            AppLog a = appLog(s, "app");
            assertThat(a.sealed).isEmpty();
            assertThat(a.sealing).hasSize(1);
            assertThat(Stores.all(s, "app")).isEqualTo(in);
            Files.delete(blocker.resolve("x"));
            Files.delete(blocker);
            clock.advance(Duration.ofSeconds(1));
            s.maintain(); // retries the failed seal
            s.awaitSeals();
            assertThat(a.sealing).isEmpty();
            assertThat(a.sealed).hasSize(1);
            assertThat(Stores.all(s, "app")).isEqualTo(in);
        }
    }

    @Test
    void recovery_sealedChunkTrailerDestroyed_blocksSalvagedNothingLost() throws IOException {
        List<LogRecord> in = Stores.records("app", 2000, 0, 200);
        AppLog a;
        try (LogStore s = open(Stores.small())) {
            s.append(in);
            s.awaitSeals();
            a = appLog(s, "app");
        }
        Path first = a.sealed.get(0).path;
        Files.write(first, new byte[] {1, 2, 3}, StandardOpenOption.APPEND); // trailer destroyed
        try (LogStore s = open(Stores.small())) {
            // Its blocks are found by their zstd frames and sealed again; the file is in quarantine.
            assertThat(Stores.all(s, "app")).isEqualTo(in);
        }
        assertThat(dir.resolve("quarantine").resolve("app").resolve(first.getFileName()))
                .exists();
    }

    @Test
    void append_markersAndSpillwayEvents_storedLikeAnyRecord() throws IOException {
        LogRecord marker = Stores.record("web", 5, "spillway: dropped 18342 lines (127.4 MB) in 10s: app over 1 MiB/s");
        LogRecord event = new LogRecord(
                6,
                "h",
                AppNames.SPILLWAY,
                "spillway",
                LogStream.EVENT,
                Severity.WARNING,
                "{\"kind\":\"drops_started\"}".getBytes(StandardCharsets.UTF_8),
                Map.of("kind", "drops_started"));
        try (LogStore s = open(Stores.small())) {
            s.append(List.of(marker, event));
            assertThat(Stores.all(s, "web")).containsExactly(marker);
            assertThat(Stores.all(s, AppNames.SPILLWAY)).containsExactly(event);
            assertThat(s.apps()).extracting(AppSummary::app).containsExactly(AppNames.SPILLWAY, "web");
        }
    }

    @Test
    void follow_recordsAfterStart_handedOverFilteredAndBounded() throws Exception {
        StoreConfig c = Stores.withQuery(Stores.small(), Duration.ofSeconds(5), DataSize.ofGiB(1), 5);
        try (LogStore s = open(c)) {
            s.append(Stores.record("app", 1, "before"));
            try (Tail all = s.follow("app", null);
                    Tail errors = s.follow("app", Filter.substring("ERROR"));
                    Tail rx = s.follow("app", Filter.regex("^E.*R$"))) {
                assertThat(all.poll(Duration.ofMillis(1), 10)).isEmpty();
                s.append(List.of(Stores.record("app", 2, "ERROR one"), Stores.record("app", 3, "fine")));
                List<StoredRecord> got = all.poll(Duration.ofSeconds(5), 10);
                assertThat(got).extracting(r -> r.record().messageText()).containsExactly("ERROR one", "fine");
                assertThat(errors.poll(Duration.ofSeconds(5), 10))
                        .extracting(r -> r.record().messageText())
                        .containsExactly("ERROR one");
                // the cursor of a followed record continues a query right after it
                QueryResult q = s.query(new Query(
                        "app",
                        null,
                        null,
                        null,
                        10,
                        Query.Order.OLDEST_FIRST,
                        got.get(0).cursor()));
                assertThat(q.records())
                        .extracting(r -> r.record().messageText())
                        .containsExactly("fine");
                // overflow: 12 more records into a queue of 5
                s.append(Stores.records("app", 12, 10, 20));
                assertThat(all.missed()).isEqualTo(7);
                assertThat(all.poll(Duration.ofSeconds(1), 100)).hasSize(5);
                s.append(Stores.record("app", 50, "ERROR-R"));
                assertThat(rx.poll(Duration.ofSeconds(5), 100))
                        .extracting(r -> r.record().messageText())
                        .containsExactly("ERROR-R");
            }
        }
    }

    @Test
    void follow_storeClosed_tailClosedAndPollEmpty() throws Exception {
        Tail t;
        try (LogStore s = open(Stores.small())) {
            t = s.follow("app", null);
            assertThat(t.isClosed()).isFalse();
        }
        assertThat(t.isClosed()).isTrue();
        assertThat(t.poll(Duration.ofMillis(20), 10)).isEmpty();
        t.close(); // idempotent
    }

    @Test
    void follow_tooManyFollowers_refused() throws IOException {
        StoreConfig d = Stores.small();
        StoreConfig c = new StoreConfig(
                true,
                "",
                d.maxAge(),
                d.maxTotal(),
                d.maxPerApp(),
                d.apps(),
                d.chunkSize(),
                d.chunkMaxAge(),
                3,
                d.minFreeSpace(),
                true,
                8,
                d.queryTimeout(),
                d.queryMaxScan(),
                10,
                2);
        try (LogStore s = open(c)) {
            Tail a = s.follow("x", null);
            Tail b = s.follow("y", null);
            assertThatThrownBy(() -> s.follow("z", null)).isInstanceOf(IllegalStateException.class);
            a.close();
            s.follow("z", null).close();
            b.close();
        }
    }

    @Test
    void append_moreAppsThanOpenFiles_channelsBoundedAndDataIntact() throws IOException {
        StoreConfig c = Stores.withOpenFiles(Stores.small(), 3);
        try (LogStore s = open(c)) {
            for (int round = 0; round < 3; round++) {
                for (int app = 0; app < 10; app++) {
                    s.append(Stores.record("a" + app, round, "r" + round));
                }
            }
            long open = s.apps().stream()
                    .map(x -> appLog(s, x.app()))
                    .filter(a -> a.active != null && a.active.isOpen())
                    .count();
            assertThat(open).isLessThanOrEqualTo(3);
            s.sync();
            for (int app = 0; app < 10; app++) {
                assertThat(Stores.all(s, "a" + app))
                        .extracting(LogRecord::messageText)
                        .containsExactly("r0", "r1", "r2");
            }
        }
    }

    @Test
    void append_moreAppsThanMaxApps_overflowAppKeepsName() throws IOException {
        try (LogStore s = LogStore.open(dir, Stores.small(), new Metrics(), clock, System::nanoTime, 3)) {
            for (int app = 0; app < 5; app++) {
                s.append(Stores.record("a" + app, app, "m" + app));
                if (app == 0) {
                    s.append(Stores.record(LogStore.OVERFLOW_APP, 0, "first"));
                }
            }
            assertThat(s.apps()).extracting(AppSummary::app).containsExactly(LogStore.OVERFLOW_APP, "a0", "a1");
            List<LogRecord> other = Stores.all(s, LogStore.OVERFLOW_APP);
            assertThat(other)
                    .extracting(r -> r.fields().get(LogStore.OVERFLOW_FIELD))
                    .containsExactly(null, "a2", "a3", "a4");
        }
    }

    @Test
    void append_hugeMessage_cutToHalfAChunk() throws IOException {
        try (LogStore s = open(Stores.small())) {
            s.append(Stores.record("app", 1, "z".repeat(200_000)));
            LogRecord r = Stores.all(s, "app").get(0);
            assertThat(r.messageLength()).isLessThanOrEqualTo(32 * 1024 + 64);
            assertThat(r.messageText()).contains("[spillway: truncated");
        }
    }

    @Test
    void summary_ingestRate_overLastMinute() throws IOException {
        try (LogStore s = open(Stores.small())) {
            for (int sec = 0; sec < 60; sec++) {
                s.append(Stores.records("app", 10, sec, 20));
                clock.advance(Duration.ofSeconds(1));
            }
            assertThat(s.app("app").recordsPerSecond()).isEqualTo(10.0);
        }
    }
}
