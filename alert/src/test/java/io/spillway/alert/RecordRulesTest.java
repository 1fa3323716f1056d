package io.spillway.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.alert.signal.IncidentSource;
import io.spillway.event.EventSeverity;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordRulesTest {
    static final String RULES = """
            rules:
              - name: errors
                type: error_rate
                app: "web-*"
                threshold: 5
                window: 1m
                quiet: 2m
                severity: warning
                labels: {team: web}
              - name: oom
                type: pattern
                pattern: "OutOfMemoryError[^\\\\n]*"
                quiet: 5m
                severity: critical
            """;

    @TempDir
    Path dir;

    static LogRecord rec(String host, String app, Severity sev, String msg) {
        return new LogRecord(
                0, host, app, "test", LogStream.STDOUT, sev, msg.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    @Test
    void errorRate_overThresholdWithinWindow_opensIncident_clearsAfterQuiet() throws Exception {
        Fixture f = new Fixture(dir, RULES);
        try (IncidentEngine e = f.open()) {
            RecordRules rules = e.rules();
            for (int i = 0; i < 5; i++) {
                rules.observe(rec("n1", "web-1", Severity.ERROR, "boom"));
            }
            // Info records and other apps do not count.
            rules.observe(rec("n1", "web-1", Severity.INFO, "fine"));
            rules.observe(rec("n1", "db", Severity.ERROR, "boom"));
            e.tick();
            assertThat(e.list(IncidentFilter.all())).isEmpty();

            rules.observe(rec("n1", "web-1", Severity.CRITICAL, "boom"));
            e.tick();
            Incident i = e.list(IncidentFilter.all()).get(0);
            assertThat(i.dedupKey()).isEqualTo("rule/errors/n1/web-1");
            assertThat(i.kind()).isEqualTo("error_rate");
            assertThat(i.source()).isEqualTo(IncidentSource.RULE);
            assertThat(i.severity()).isEqualTo(EventSeverity.WARNING);
            assertThat(i.labels()).containsEntry("team", "web").containsEntry("app", "web-1");
            assertThat(i.summary()).contains("6 error records within 1m (threshold 5)");

            f.clock.advance(Duration.ofMinutes(1).plusSeconds(59));
            e.tick();
            assertThat(e.get(i.id()).orElseThrow().state()).isEqualTo(IncidentState.TRIGGERED);
            f.clock.advance(Duration.ofSeconds(1));
            e.tick();
            Incident done = e.get(i.id()).orElseThrow();
            assertThat(done.state()).isEqualTo(IncidentState.RESOLVED);
            assertThat(done.resolvedBy()).isEqualTo("auto");
        }
    }

    @Test
    void errorRate_spreadOverWindows_staysQuiet() throws Exception {
        Fixture f = new Fixture(dir, RULES);
        try (IncidentEngine e = f.open()) {
            for (int i = 0; i < 20; i++) {
                e.rules().observe(rec("n1", "web-1", Severity.ERROR, "boom"));
                e.rules().observe(rec("n1", "web-1", Severity.ERROR, "boom"));
                f.clock.advance(Duration.ofSeconds(30));
                e.tick();
            }
            assertThat(e.list(IncidentFilter.all())).isEmpty();
        }
    }

    @Test
    void pattern_match_opensIncidentWithTheMatch() throws Exception {
        Fixture f = new Fixture(dir, RULES);
        try (IncidentEngine e = f.open()) {
            e.rules().observe(rec("n2", "billing", Severity.INFO, "fine"));
            e.tick();
            assertThat(e.list(IncidentFilter.all())).isEmpty();
            e.rules()
                    .observe(rec(
                            "n2",
                            "billing",
                            Severity.INFO,
                            "Exception in thread main java.lang.OutOfMemoryError: Java heap space"));
            e.tick();
            Incident i = e.list(IncidentFilter.all()).get(0);
            assertThat(i.kind()).isEqualTo("pattern");
            assertThat(i.severity()).isEqualTo(EventSeverity.CRITICAL);
            assertThat(i.details()).containsEntry("match", "OutOfMemoryError: Java heap space");
            assertThat(i.summary()).contains("OutOfMemoryError: Java heap space");
            // A per-app critical incident follows its policy, not "everyone".
            f.clock.advance(Duration.ofMinutes(5));
            e.tick();
            assertThat(e.get(i.id()).orElseThrow().state()).isEqualTo(IncidentState.RESOLVED);
        }
    }

    @Test
    void appCap_reached_furtherPairsUntrackedAndCounted_thenForgottenWhenIdle() throws Exception {
        Fixture f = new Fixture(dir, RULES + "rule_max_apps: 3\n");
        try (IncidentEngine e = f.open()) {
            RecordRules rules = e.rules();
            for (int i = 0; i < 10; i++) {
                for (int k = 0; k < 10; k++) {
                    rules.observe(rec("n", "web-" + i, Severity.ERROR, "boom"));
                }
            }
            assertThat(rules.trackedApps()).isEqualTo(3);
            assertThat(f.metric("spillway_alert_rule_untracked", "", "")).isEqualTo(70);
            e.tick();
            assertThat(e.list(IncidentFilter.all())).hasSize(3);
            // Quiet for long enough: incidents clear and the pairs are forgotten, freeing the slots.
            f.clock.advance(Duration.ofMinutes(11));
            e.tick();
            e.tick();
            assertThat(rules.trackedApps()).isZero();
            rules.observe(rec("n", "web-9", Severity.ERROR, "boom"));
            assertThat(rules.trackedApps()).isEqualTo(1);
        }
    }

    @Test
    void noRules_observe_tracksNothing() throws Exception {
        Fixture f = new Fixture(dir, "{}");
        try (IncidentEngine e = f.open()) {
            e.rules().observe(rec("n", "a", Severity.ERROR, "x"));
            assertThat(e.rules().trackedApps()).isZero();
        }
    }

    @Test
    void config_badRegexOrMissingPattern_refusedWithKey() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Fixture.config("rules: [{name: r, type: pattern}]"))
                .hasMessageContaining("rules[0].pattern")
                .hasMessageContaining("needs a pattern");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> Fixture.config("rules: [{name: r, type: pattern, pattern: \"(\"}]"))
                .hasMessageContaining("not a valid regex");
        assertThat(List.of()).isEmpty();
    }

    @Test
    void observe_manyThreadsWhileTicking_noErrorsAndBounded() throws Exception {
        Fixture f = new Fixture(dir, RULES + "rule_max_apps: 50\n");
        try (IncidentEngine e = f.open()) {
            java.util.concurrent.atomic.AtomicReference<Throwable> failure =
                    new java.util.concurrent.atomic.AtomicReference<>();
            List<Thread> threads = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 20_000; i++) {
                            e.rules().observe(rec("n" + id, "web-" + (i % 40), Severity.ERROR, "boom"));
                            e.heartbeats().beat("n" + id, f.clock.instant());
                        }
                    } catch (Throwable x) {
                        failure.set(x);
                    }
                }));
            }
            for (int k = 0; k < 50; k++) {
                e.tick();
            }
            for (Thread t : threads) {
                t.join();
            }
            e.tick();
            assertThat(failure.get()).isNull();
            assertThat(e.rules().trackedApps()).isLessThanOrEqualTo(50);
            assertThat(e.list(IncidentFilter.all().withState(IncidentState.TRIGGERED)))
                    .hasSizeLessThanOrEqualTo(50);
            assertThat(f.metric("spillway_alert_tick_errors", "", "")).isEqualTo(-1);
        }
    }
}
