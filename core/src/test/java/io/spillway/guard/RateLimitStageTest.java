package io.spillway.guard;

import static io.spillway.guard.Fakes.config;
import static io.spillway.guard.Fakes.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.FakeClock;
import io.spillway.guard.Fakes.Drop;
import io.spillway.guard.Fakes.RecordingDrops;
import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RateLimitStageTest {
    private final FakeClock ticker = new FakeClock();
    private final RecordingDrops drops = new RecordingDrops();

    private RateLimitStage stage(String yaml) throws Exception {
        return new RateLimitStage(config(yaml), drops, ticker);
    }

    /** Sends {@code n} records of {@code size} bytes; returns how many were admitted. */
    private static int send(RateLimitStage stage, String app, int n, int size) {
        int admitted = 0;
        LogRecord r = record(app, "x".repeat(size));
        for (int i = 0; i < n; i++) {
            if (stage.apply(r) != null) {
                admitted++;
            }
        }
        return admitted;
    }

    @Test
    void apply_lines_burstThenExactRefill() throws Exception {
        RateLimitStage stage = stage("rate_limit: {lines_per_second: 10, bytes_per_second: 0, burst: 2s}");
        assertThat(send(stage, "web", 25, 10)).isEqualTo(20); // full bucket: 10/s × 2s
        ticker.advance(Duration.ofMillis(100)); // exactly one line
        assertThat(send(stage, "web", 5, 10)).isEqualTo(1);
        ticker.advance(Duration.ofMillis(99)); // not yet a whole line
        assertThat(send(stage, "web", 1, 10)).isZero();
        ticker.advance(Duration.ofMillis(1));
        assertThat(send(stage, "web", 1, 10)).isEqualTo(1);
        ticker.advance(Duration.ofMinutes(5)); // refills to the burst, never beyond
        assertThat(send(stage, "web", 30, 10)).isEqualTo(20);
    }

    @Test
    void apply_bytes_chargesMessageBytesExactly() throws Exception {
        RateLimitStage stage = stage("rate_limit: {bytes_per_second: 1000B, lines_per_second: 0, burst: 1s}");
        assertThat(send(stage, "web", 11, 100)).isEqualTo(10);
        ticker.advance(Duration.ofMillis(99)); // 99 bytes
        assertThat(send(stage, "web", 1, 100)).isZero();
        assertThat(send(stage, "web", 1, 99)).isEqualTo(1); // refused records cost nothing
        ticker.advance(Duration.ofMillis(100));
        assertThat(send(stage, "web", 1, 100)).isEqualTo(1);
    }

    @Test
    void apply_bothLimits_eitherRefuses() throws Exception {
        RateLimitStage stage = stage("rate_limit: {bytes_per_second: 1000B, lines_per_second: 5, burst: 1s}");
        assertThat(send(stage, "lines", 6, 1)).isEqualTo(5);
        assertThat(stage.describe("lines")).isEqualTo("rate limit 5 lines/s");
        assertThat(send(stage, "bytes", 2, 600)).isEqualTo(1);
        assertThat(stage.describe("bytes")).isEqualTo("rate limit 1.0 kB/s");
    }

    @Test
    void apply_recordLargerThanBurst_passesWhenBucketFull() throws Exception {
        RateLimitStage stage = stage("rate_limit: {bytes_per_second: 100B, lines_per_second: 0, burst: 1s}");
        assertThat(send(stage, "web", 1, 500)).isEqualTo(1);
        assertThat(send(stage, "web", 1, 1)).isZero();
        ticker.advance(Duration.ofSeconds(1));
        assertThat(send(stage, "web", 1, 500)).isEqualTo(1);
    }

    @Test
    void apply_refused_reportedToDropsWithAppReasonAndBytes() throws Exception {
        RateLimitStage stage = stage("rate_limit: {lines_per_second: 1, burst: 1s}");
        send(stage, "web", 3, 42);
        assertThat(drops.drops)
                .containsExactly(new Drop("web", "rate_limit", 1, 42), new Drop("web", "rate_limit", 1, 42));
    }

    @Test
    void apply_defaults_oneMiBPerSecondTenSecondBurst() throws Exception {
        RateLimitStage stage = stage("");
        // 10 MiB of burst in 1 KiB records: 10240 records, under the 50 000-line burst.
        assertThat(send(stage, "web", 10_241, 1024)).isEqualTo(10_240);
        assertThat(stage.describe("web")).isEqualTo("rate limit 1 MiB/s");
    }

    @Test
    void apply_spillwayApp_neverLimited() throws Exception {
        RateLimitStage stage = stage("rate_limit: {lines_per_second: 1, burst: 1s}");
        assertThat(send(stage, AppNames.SPILLWAY, 1000, 10)).isEqualTo(1000);
        assertThat(stage.overLimit(AppNames.SPILLWAY)).isFalse();
        assertThat(drops.drops).isEmpty();
    }

    @Test
    void apply_perAppOverrideByGlob_firstMatchWinsElseGlobal() throws Exception {
        RateLimitStage stage = stage("""
                rate_limit: {lines_per_second: 10, burst: 1s}
                apps:
                  trusted: {rate_limit: {enabled: false}}
                  noisy-*: {rate_limit: {lines_per_second: 2}}
                  "*": {rate_limit: {lines_per_second: 5}}
                """);
        assertThat(send(stage, "noisy-1", 100, 10)).isEqualTo(2);
        assertThat(send(stage, "trusted", 100, 10)).isEqualTo(100);
        assertThat(send(stage, "other", 100, 10)).isEqualTo(5);
    }

    @Test
    void apply_appsAreIndependent() throws Exception {
        RateLimitStage stage = stage("rate_limit: {lines_per_second: 3, burst: 1s}");
        assertThat(send(stage, "a", 10, 1)).isEqualTo(3);
        assertThat(send(stage, "b", 10, 1)).isEqualTo(3);
    }

    @Test
    void retryAfter_overLimit_waitUntilRefusedRecordFits() throws Exception {
        RateLimitStage stage = stage("rate_limit: {lines_per_second: 10, bytes_per_second: 0, burst: 1s}");
        assertThat(stage.retryAfter("web")).isEmpty();
        send(stage, "web", 11, 1);
        assertThat(stage.retryAfter("web")).isEqualTo(Optional.of(Duration.ofMillis(100)));
        assertThat(stage.overLimit("web")).isTrue();
        ticker.advance(Duration.ofMillis(40));
        assertThat(stage.retryAfter("web")).isEqualTo(Optional.of(Duration.ofMillis(60)));
        ticker.advance(Duration.ofMillis(60));
        assertThat(stage.retryAfter("web")).isEmpty();
        assertThat(stage.overLimit("other")).isFalse();
    }

    @Test
    void apply_100000DistinctApps_bucketTableStaysBounded() throws Exception {
        RateLimitStage stage = stage("rate_limit: {lines_per_second: 1, burst: 1s}");
        for (int i = 0; i < 100_000; i++) {
            stage.apply(record("invented-" + i, "x"));
            if (i % 10_000 == 0) {
                ticker.advance(Duration.ofMillis(10));
            }
        }
        assertThat(stage.trackedApps()).isLessThanOrEqualTo(10_000);
        // The overflow apps shared one bucket of 1 line/s: nearly all of them were dropped.
        assertThat(drops.drops.size()).isGreaterThan(89_000);
    }

    @Test
    void apply_tableFullOfIdleBuckets_sweptAndNewAppGetsOwnBucket() throws Exception {
        RateLimitStage stage = stage("""
                max_apps: 100
                rate_limit: {lines_per_second: 5, burst: 1s}
                """);
        for (int i = 0; i < 100; i++) {
            stage.apply(record("old-" + i, "x"));
        }
        assertThat(stage.trackedApps()).isEqualTo(100);
        // Table full and nobody idle yet: the newcomer shares the overflow bucket (5 lines).
        assertThat(send(stage, "new-1", 10, 1)).isEqualTo(5);
        assertThat(stage.trackedApps()).isEqualTo(100);
        ticker.advance(Duration.ofSeconds(1)); // every old bucket idle for its burst: full, equal to new
        assertThat(send(stage, "new-2", 10, 1)).isEqualTo(5);
        assertThat(stage.trackedApps()).isEqualTo(1);
        // A swept app starts again from a full bucket, exactly as if it had kept its own.
        assertThat(send(stage, "old-1", 10, 1)).isEqualTo(5);
    }

    @Test
    void apply_overflowAppWithUnlimitedOverride_passes() throws Exception {
        RateLimitStage stage = stage("""
                max_apps: 1
                rate_limit: {lines_per_second: 1, burst: 1s}
                apps:
                  trusted-*: {rate_limit: {enabled: false}}
                """);
        stage.apply(record("first", "x"));
        assertThat(send(stage, "trusted-1", 50, 1)).isEqualTo(50);
    }

    @Test
    void apply_concurrentThreadsOneApp_admitExactlyTheBurst() throws Exception {
        RateLimitStage stage = stage("rate_limit: {lines_per_second: 1000, bytes_per_second: 0, burst: 10s}");
        java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            workers.add(Thread.ofPlatform().start(() -> admitted.addAndGet(send(stage, "web", 5_000, 1))));
        }
        for (Thread w : workers) {
            w.join();
        }
        // The ticker does not move: exactly the 10 000-line burst passes, the rest is reported.
        assertThat(admitted.get()).isEqualTo(10_000);
        assertThat(drops.records("web")).isEqualTo(10_000);
    }
}
