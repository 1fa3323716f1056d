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
import org.junit.jupiter.api.Test;

class RepeatStageTest {
    private final FakeClock ticker = new FakeClock();
    private final RecordingDrops drops = new RecordingDrops();

    private RepeatStage stage(String yaml) throws Exception {
        return new RepeatStage(config(yaml), drops, ticker);
    }

    private static int send(RepeatStage stage, String app, String message, int n) {
        int passed = 0;
        for (int i = 0; i < n; i++) {
            if (stage.apply(record(app, message)) != null) {
                passed++;
            }
        }
        return passed;
    }

    @Test
    void apply_disabledByDefault_passesEverythingWithoutState() throws Exception {
        RepeatStage stage = stage("");
        LogRecord r = record("web", "same");
        for (int i = 0; i < 100; i++) {
            assertThat(stage.apply(r)).isSameAs(r);
        }
        assertThat(stage.trackedApps()).isZero();
    }

    @Test
    void apply_identicalRun_firstAfterPassRestDroppedAndReported() throws Exception {
        RepeatStage stage = stage("repeat: {enabled: true, after: 3}");
        assertThat(send(stage, "web", "connection refused", 10)).isEqualTo(3);
        assertThat(drops.drops).hasSize(7).allMatch(d -> d.equals(new Drop("web", "repeat", 1, 18)));
    }

    @Test
    void apply_differentMessage_startsNewRun() throws Exception {
        RepeatStage stage = stage("repeat: {enabled: true, after: 2}");
        assertThat(send(stage, "web", "a", 5)).isEqualTo(2);
        assertThat(send(stage, "web", "b", 1)).isEqualTo(1);
        assertThat(send(stage, "web", "a", 5)).isEqualTo(2);
    }

    @Test
    void apply_windowRunsOut_runStartsAfresh() throws Exception {
        RepeatStage stage = stage("repeat: {enabled: true, after: 2, window: 10s}");
        assertThat(send(stage, "web", "tick", 5)).isEqualTo(2);
        ticker.advance(Duration.ofMillis(9_999));
        assertThat(send(stage, "web", "tick", 1)).isZero();
        ticker.advance(Duration.ofMillis(1));
        assertThat(send(stage, "web", "tick", 5)).isEqualTo(2);
    }

    @Test
    void apply_appsIndependentAndSpillwayExempt() throws Exception {
        RepeatStage stage = stage("repeat: {enabled: true, after: 1}");
        assertThat(send(stage, "a", "x", 3)).isEqualTo(1);
        assertThat(send(stage, "b", "x", 3)).isEqualTo(1);
        assertThat(send(stage, AppNames.SPILLWAY, "x", 3)).isEqualTo(3);
    }

    @Test
    void apply_perAppOverride_enablesOnlyMatchingApps() throws Exception {
        RepeatStage stage = stage("""
                apps:
                  chatty-*: {repeat: {enabled: true, after: 1}}
                """);
        assertThat(send(stage, "chatty-1", "x", 3)).isEqualTo(1);
        assertThat(send(stage, "web", "x", 3)).isEqualTo(3);
    }

    @Test
    void apply_100000DistinctApps_stateStaysBounded() throws Exception {
        RepeatStage stage = stage("""
                max_apps: 1000
                repeat: {enabled: true, after: 1}
                """);
        for (int i = 0; i < 100_000; i++) {
            stage.apply(record("invented-" + i, "x"));
        }
        assertThat(stage.trackedApps()).isLessThanOrEqualTo(1000);
        ticker.advance(Duration.ofSeconds(10)); // every run over: swept, newcomers tracked again
        assertThat(send(stage, "late", "y", 3)).isEqualTo(1);
        assertThat(stage.trackedApps()).isEqualTo(1);
    }
}
