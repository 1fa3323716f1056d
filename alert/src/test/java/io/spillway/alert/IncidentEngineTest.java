package io.spillway.alert;

import static io.spillway.alert.Fixture.signal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.alert.notify.Notification;
import io.spillway.alert.signal.IncidentSource;
import io.spillway.alert.signal.Signal;
import io.spillway.event.Event;
import io.spillway.event.EventSeverity;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncidentEngineTest {
    static final String POLICIES = """
            public_url: https://logs.example.com/
            policies:
              - name: apps
                match: {severity: warning}
                levels:
                  - {targets: [a], delay: 5m}
                  - {targets: [b], delay: 10m}
                  - {everyone: true, delay: 15m}
                repeat: true
                renotify: 30m
              - name: quiet
                levels:
                  - {targets: [c], delay: 1h}
                repeat: false
            """;

    @TempDir
    Path dir;

    private static List<TimelineEntry.Type> types(Incident i) {
        return i.timeline().stream().map(TimelineEntry::type).toList();
    }

    @Test
    void escalation_noAck_walksLevelsThenEveryoneThenRepeats() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        try (IncidentEngine e = f.open()) {
            Incident i = e.trigger(signal("drops/node-1/web", EventSeverity.WARNING, "node-1", "web", "drops"))
                    .orElseThrow();
            e.tick();
            assertThat(i.policy()).isEqualTo("apps");
            assertThat(f.t("a").reasons()).containsExactly("trigger");
            assertThat(f.t("b").received).isEmpty();

            f.clock.advance(Duration.ofMinutes(4).plusSeconds(59));
            e.tick();
            assertThat(f.t("b").received).isEmpty();

            f.clock.advance(Duration.ofSeconds(1));
            e.tick();
            assertThat(f.t("b").reasons()).containsExactly("escalate");
            assertThat(f.t("b").received.get(0).level()).isEqualTo(1);
            assertThat(f.t("c").received).isEmpty();

            f.clock.advance(Duration.ofMinutes(10));
            e.tick();
            assertThat(f.t("a").reasons()).containsExactly("trigger", "escalate");
            assertThat(f.t("b").reasons()).containsExactly("escalate", "escalate");
            assertThat(f.t("c").reasons()).containsExactly("escalate");

            f.clock.advance(Duration.ofMinutes(15));
            e.tick();
            assertThat(f.t("a").reasons()).containsExactly("trigger", "escalate", "renotify");
            Incident now = e.get(i.id()).orElseThrow();
            assertThat(now.level()).isZero();
            assertThat(now.round()).isEqualTo(1);
            assertThat(types(now)).contains(TimelineEntry.Type.ESCALATED, TimelineEntry.Type.NOTIFIED);
            Notification n = f.t("a").received.get(0);
            assertThat(n.ackUrl()).startsWith("https://logs.example.com/ack/");
            assertThat(n.incidentUrl()).isEqualTo("https://logs.example.com/incidents/" + i.id());
        }
    }

    @Test
    void acknowledge_stopsEscalation_andTellsPagedTargets() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        try (IncidentEngine e = f.open()) {
            Incident i = e.trigger(signal("drops/node-1/web", EventSeverity.WARNING, "node-1", "web", "drops"))
                    .orElseThrow();
            e.tick();
            f.clock.advance(Duration.ofMinutes(2));
            Incident acked = e.acknowledge(i.id(), "alice", "cli").orElseThrow();
            assertThat(acked.state()).isEqualTo(IncidentState.ACKNOWLEDGED);
            assertThat(acked.acknowledgedBy()).isEqualTo("alice");
            assertThat(acked.nextEscalation()).isNull();
            e.tick();
            f.clock.advance(Duration.ofHours(3));
            e.tick();
            assertThat(f.t("a").reasons()).containsExactly("trigger", "acknowledge");
            assertThat(f.t("b").received).isEmpty();
            assertThat(e.openCount())
                    .as("an acknowledged incident is still open")
                    .isEqualTo(1);
            e.resolve(i.id(), "alice");
            assertThat(e.openCount()).isZero();
            Incident got = e.get(i.id()).orElseThrow();
            TimelineEntry ack = got.timeline().stream()
                    .filter(t -> t.type() == TimelineEntry.Type.ACKNOWLEDGED)
                    .findFirst()
                    .orElseThrow();
            assertThat(ack.data()).containsEntry("by", "alice").containsEntry("via", "cli");

            Incident resolved = e.resolve(i.id(), "alice").orElseThrow();
            assertThat(resolved.state()).isEqualTo(IncidentState.RESOLVED);
            assertThat(resolved.resolvedBy()).isEqualTo("alice");
            assertThat(e.openCount()).isZero();
            e.tick();
            assertThat(f.t("a").reasons()).containsExactly("trigger", "acknowledge", "resolve");
        }
    }

    @Test
    void criticalHostIncident_startsAtEveryone() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        try (IncidentEngine e = f.open()) {
            e.trigger(signal("disk_watermark/node-7//var", EventSeverity.CRITICAL, "node-7", null, "disk 95%"));
            e.tick();
            assertThat(f.t("a").reasons()).containsExactly("trigger");
            assertThat(f.t("b").reasons()).containsExactly("trigger");
            assertThat(f.t("c").reasons()).containsExactly("trigger");
        }
    }

    @Test
    void repeatFalse_lastLevelReached_pagingStops() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        try (IncidentEngine e = f.open()) {
            Incident i = e.trigger(signal("x/h/app", EventSeverity.INFO, "h", "app", "info thing"))
                    .orElseThrow();
            assertThat(i.policy()).isEqualTo("quiet");
            e.tick();
            f.clock.advance(Duration.ofHours(1));
            e.tick();
            f.clock.advance(Duration.ofHours(5));
            e.tick();
            assertThat(f.t("c").reasons()).containsExactly("trigger");
            Incident got = e.get(i.id()).orElseThrow();
            assertThat(got.state()).isEqualTo(IncidentState.TRIGGERED);
            assertThat(got.nextEscalation()).isNull();
            assertThat(got.timeline().get(got.timeline().size() - 1).message()).contains("paging stops");
        }
    }

    @Test
    void routing_noPolicyMatches_builtInDefaultPagesEveryone() throws Exception {
        Fixture f = new Fixture(dir, "{}");
        try (IncidentEngine e = f.open()) {
            Incident i = e.trigger(signal("x/h/app", EventSeverity.WARNING, "h", "app", "thing"))
                    .orElseThrow();
            e.tick();
            assertThat(i.policy()).isEqualTo(AlertConfig.BUILTIN_POLICY);
            assertThat(f.t("a").received).hasSize(1);
            assertThat(f.t("c").received).hasSize(1);
            f.clock.advance(Duration.ofMinutes(30));
            e.tick();
            assertThat(f.t("a").reasons()).containsExactly("trigger", "renotify");
        }
    }

    @Test
    void routing_labelsAndAppGlob_firstMatchingPolicyWins() throws Exception {
        Fixture f = new Fixture(dir, """
                policies:
                  - name: db
                    match: {labels: {team: db}}
                    levels: [{targets: [b]}]
                  - name: web
                    match: {app: "web-*"}
                    levels: [{targets: [c]}]
                  - name: rest
                    levels: [{targets: [a]}]
                """);
        try (IncidentEngine e = f.open()) {
            Signal db = new Signal(
                    IncidentSource.ALERTMANAGER,
                    "am/1",
                    "alertmanager",
                    EventSeverity.WARNING,
                    "db slow",
                    "h",
                    "web-db",
                    Map.of("team", "db"),
                    Map.of(),
                    null,
                    Instant.EPOCH);
            assertThat(e.trigger(db).orElseThrow().policy()).isEqualTo("db");
            assertThat(e.trigger(signal("x/h/web-1", EventSeverity.WARNING, "h", "web-1", "s"))
                            .orElseThrow()
                            .policy())
                    .isEqualTo("web");
            assertThat(e.trigger(signal("x/h/api", EventSeverity.WARNING, "h", "api", "s"))
                            .orElseThrow()
                            .policy())
                    .isEqualTo("rest");
        }
    }

    @Test
    void config_policyNamesUnknownTarget_refusedWithTheName() throws Exception {
        Fixture f = new Fixture(dir, """
                policies:
                  - name: p
                    levels: [{targets: [nobody]}]
                """);
        assertThatThrownBy(f::open)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alert.policies[0].levels[0].targets")
                .hasMessageContaining("nobody");
    }

    @Test
    void trigger_sameKeyWhileOpen_updatesWithoutPagingAgain() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        try (IncidentEngine e = f.open()) {
            Incident first = e.trigger(signal("drops/n/web", EventSeverity.WARNING, "n", "web", "drops 10/s"))
                    .orElseThrow();
            Incident again = e.trigger(signal("drops/n/web", EventSeverity.WARNING, "n", "web", "drops 99/s"))
                    .orElseThrow();
            e.tick();
            assertThat(again.id()).isEqualTo(first.id());
            assertThat(again.summary()).isEqualTo("drops 99/s");
            assertThat(f.t("a").received).hasSize(1);
            assertThat(types(e.get(first.id()).orElseThrow())).contains(TimelineEntry.Type.UPDATED);
            assertThat(e.list(IncidentFilter.all())).hasSize(1);
        }
    }

    @Test
    void flapping_resolvedThenRetriggered_pagesAtMostOncePerRenotify() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        try (IncidentEngine e = f.open()) {
            Signal s = signal("drops/n/web", EventSeverity.WARNING, "n", "web", "drops");
            long id = e.trigger(s).orElseThrow().id();
            e.tick();
            for (int k = 0; k < 5; k++) {
                f.clock.advance(Duration.ofMinutes(1));
                e.resolve("drops/n/web");
                f.clock.advance(Duration.ofMinutes(1));
                assertThat(e.trigger(s).orElseThrow().id()).isEqualTo(id);
                e.tick();
            }
            // 10 minutes of flapping: one page (plus resolve notes), and the same incident reopened.
            assertThat(f.t("a").reasons().stream().filter(r -> !r.equals("resolve")))
                    .containsExactly("trigger");
            Incident i = e.get(id).orElseThrow();
            assertThat(i.state()).isEqualTo(IncidentState.TRIGGERED);
            assertThat(types(i)).contains(TimelineEntry.Type.RETRIGGERED);
            assertThat(e.list(IncidentFilter.all())).hasSize(1);

            // Still firing when renotify has passed since the last page: one deferred page.
            f.clock.set(i.lastNotified().plus(Duration.ofMinutes(30)));
            e.tick();
            assertThat(f.t("a").reasons().stream().filter(r -> !r.equals("resolve")))
                    .containsExactly("trigger", "renotify");
        }
    }

    @Test
    void flapping_afterRenotifyWindow_opensNewIncident() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        try (IncidentEngine e = f.open()) {
            Signal s = signal("drops/n/web", EventSeverity.WARNING, "n", "web", "drops");
            long id = e.trigger(s).orElseThrow().id();
            e.resolve("drops/n/web");
            f.clock.advance(Duration.ofMinutes(31));
            long id2 = e.trigger(s).orElseThrow().id();
            e.tick();
            assertThat(id2).isNotEqualTo(id);
            assertThat(f.t("a").reasons()).containsExactly("trigger", "resolve", "trigger");
        }
    }

    @Test
    void inhibition_appIncidentOnHostWithOpenHostIncident_attachesInsteadOfPaging() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        try (IncidentEngine e = f.open()) {
            Incident host = e.trigger(signal("disk_watermark/n7//var", EventSeverity.WARNING, "n7", null, "disk 85%"))
                    .orElseThrow();
            e.tick();
            f.t("a").clear();
            Incident app = e.trigger(signal("drops/n7/web", EventSeverity.WARNING, "n7", "web", "drops"))
                    .orElseThrow();
            Incident other = e.trigger(signal("drops/n8/web", EventSeverity.WARNING, "n8", "web", "drops"))
                    .orElseThrow();
            e.tick();
            assertThat(app.parentId()).isEqualTo(host.id());
            assertThat(other.parentId()).isZero();
            assertThat(f.t("a").received)
                    .extracting(Notification::incidentId)
                    .containsExactly(Long.toString(other.id()));
            assertThat(types(e.get(app.id()).orElseThrow())).contains(TimelineEntry.Type.ATTACHED);
            assertThat(types(e.get(host.id()).orElseThrow())).contains(TimelineEntry.Type.INHIBITED);

            // Escalation time passes: the attached incident still does not page.
            f.clock.advance(Duration.ofMinutes(6));
            e.tick();
            assertThat(f.t("b").received).extracting(Notification::incidentId).doesNotContain(Long.toString(app.id()));

            // The host incident resolves while the app's condition persists: it pages on its own.
            f.t("a").clear();
            e.resolve(host.dedupKey());
            e.tick();
            Incident released = e.get(app.id()).orElseThrow();
            assertThat(released.parentId()).isZero();
            assertThat(types(released)).contains(TimelineEntry.Type.RELEASED);
            assertThat(f.t("a").received)
                    .filteredOn(n -> n.incidentId().equals(Long.toString(app.id())))
                    .extracting(Notification::reason)
                    .containsExactly("trigger");
        }
    }

    @Test
    void silence_matchingIncident_recordedButNotPaged_untilSilenceEnds() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        try (IncidentEngine e = f.open()) {
            Instant now = f.clock.instant();
            Silence s = e.addSilence(
                    new Match(null, "node-*", null, null, Map.of()),
                    now,
                    now.plus(Duration.ofHours(1)),
                    "bob",
                    "kernel upgrade");
            assertThat(e.silences()).containsExactly(s);
            Incident i = e.trigger(signal("drops/node-1/web", EventSeverity.WARNING, "node-1", "web", "drops"))
                    .orElseThrow();
            Incident other = e.trigger(signal("drops/db-1/pg", EventSeverity.WARNING, "db-1", "pg", "drops"))
                    .orElseThrow();
            e.tick();
            assertThat(i.silenceId()).isEqualTo(s.id());
            assertThat(other.silenceId()).isZero();
            assertThat(f.t("a").received)
                    .extracting(Notification::incidentId)
                    .containsExactly(Long.toString(other.id()));
            assertThat(types(e.get(i.id()).orElseThrow())).contains(TimelineEntry.Type.SILENCED);

            f.clock.advance(Duration.ofMinutes(59));
            e.tick();
            assertThat(f.t("a").received).hasSize(1);
            f.clock.advance(Duration.ofMinutes(1));
            e.tick();
            assertThat(f.t("a").received)
                    .filteredOn(n -> n.incidentId().equals(Long.toString(i.id())))
                    .extracting(Notification::reason)
                    .containsExactly("trigger");
            assertThat(types(e.get(i.id()).orElseThrow())).contains(TimelineEntry.Type.UNSILENCED);
        }
    }

    @Test
    void silence_expiredEarly_stopsMuting_andIsPersisted() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        long sid;
        try (IncidentEngine e = f.open()) {
            Instant now = f.clock.instant();
            sid = e.addSilence(Match.any(), now, now.plus(Duration.ofDays(1)), "bob", "window")
                    .id();
        }
        try (IncidentEngine e = f.open()) {
            assertThat(e.silences()).extracting(Silence::id).containsExactly(sid);
            assertThat(e.expireSilence(sid)).isTrue();
            assertThat(e.silences()).isEmpty();
            e.trigger(signal("x/h/app", EventSeverity.WARNING, "h", "app", "s"));
            e.tick();
            assertThat(f.t("a").received).hasSize(1);
        }
    }

    @Test
    void silence_fromConfig_mutesMatchingSeverityOnly() throws Exception {
        Fixture f = new Fixture(dir, POLICIES + """
                silences:
                  - matcher: {severity: warning}
                    ends: "2099-01-01T00:00:00Z"
                    comment: noisy
                """);
        try (IncidentEngine e = f.open()) {
            assertThat(e.trigger(signal("x/h/a1", EventSeverity.WARNING, "h", "a1", "s"))
                            .orElseThrow()
                            .silenceId())
                    .isPositive();
            assertThat(e.trigger(signal("x/h/a2", EventSeverity.CRITICAL, "h", "a2", "s"))
                            .orElseThrow()
                            .silenceId())
                    .isZero();
        }
        // Reopening does not duplicate the file's silence.
        try (IncidentEngine e = f.open()) {
            assertThat(e.silences()).hasSize(1);
        }
    }

    @Test
    void delivery_retryableFailures_retriedWithBackoffAndEveryAttemptInTimeline() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        f.t("a").failNext(2, true);
        try (IncidentEngine e = f.open()) {
            long id = e.trigger(signal("x/h/app", EventSeverity.WARNING, "h", "app", "s"))
                    .orElseThrow()
                    .id();
            e.tick();
            assertThat(f.t("a").attempts).isEqualTo(1);
            List<TimelineEntry> failures = failures(e, id);
            assertThat(failures).hasSize(1);
            Instant retry = Instant.parse(failures.get(0).data().get("next_retry"));
            // First retry: initial_backoff 2s with equal jitter → within [1s, 2s].
            assertThat(Duration.between(f.clock.instant(), retry))
                    .isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));

            f.clock.set(retry.minusMillis(1));
            e.tick();
            assertThat(f.t("a").attempts).isEqualTo(1);
            f.clock.set(retry);
            e.tick();
            assertThat(f.t("a").attempts).isEqualTo(2);
            Instant retry2 = Instant.parse(failures(e, id).get(1).data().get("next_retry"));
            assertThat(Duration.between(f.clock.instant(), retry2))
                    .isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
            f.clock.set(retry2);
            e.tick();
            assertThat(f.t("a").received).hasSize(1);
            TimelineEntry ok = e.get(id).orElseThrow().timeline().stream()
                    .filter(t -> t.type() == TimelineEntry.Type.NOTIFIED)
                    .findFirst()
                    .orElseThrow();
            assertThat(ok.data()).containsEntry("target", "a").containsEntry("attempt", "3");
            assertThat(f.metric("spillway_alert_notifications_failed", "target", "a"))
                    .isEqualTo(2);
            assertThat(f.metric("spillway_alert_notifications_sent", "target", "a"))
                    .isEqualTo(1);
        }
    }

    @Test
    void delivery_nonRetryableFailure_stopsAtOnce() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        f.t("a").failNext(1, false);
        try (IncidentEngine e = f.open()) {
            long id = e.trigger(signal("x/h/app", EventSeverity.WARNING, "h", "app", "s"))
                    .orElseThrow()
                    .id();
            e.tick();
            f.clock.advance(Duration.ofMinutes(1));
            e.tick();
            assertThat(f.t("a").attempts).isEqualTo(1);
            assertThat(failures(e, id)).singleElement().satisfies(t -> {
                assertThat(t.data()).containsEntry("gave_up", "true").doesNotContainKey("next_retry");
                assertThat(t.message()).contains("not retryable").contains("HTTP 503");
            });
            assertThat(e.pendingDeliveries()).isZero();
        }
    }

    @Test
    void delivery_retryableFailuresBeyondMaxAttempts_givesUp() throws Exception {
        Fixture f = new Fixture(dir, POLICIES + "delivery: {max_attempts: 3, initial_backoff: 1s, max_backoff: 2s}\n");
        f.t("a").failNext(10, true);
        try (IncidentEngine e = f.open()) {
            long id = e.trigger(signal("x/h/app", EventSeverity.WARNING, "h", "app", "s"))
                    .orElseThrow()
                    .id();
            for (int k = 0; k < 10; k++) {
                e.tick();
                f.clock.advance(Duration.ofSeconds(2));
            }
            assertThat(f.t("a").attempts).isEqualTo(3);
            assertThat(failures(e, id))
                    .hasSize(3)
                    .last()
                    .satisfies(t -> assertThat(t.message()).contains("giving up after 3 attempts"));
        }
    }

    @Test
    void delivery_slowTarget_doesNotBlockTheEngine() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(1);
        io.spillway.alert.notify.Notifier slow = new io.spillway.alert.notify.Notifier() {
            @Override
            public String name() {
                return "a";
            }

            @Override
            public String kind() {
                return "test";
            }

            @Override
            public void send(Notification n) {
                try {
                    release.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (IncidentEngine e = new IncidentEngine(
                f.config,
                dir.resolve("i.db"),
                dir.resolve("k"),
                Map.of("a", slow, "b", f.t("b"), "c", f.t("c")),
                f.metrics,
                f.clock,
                pool,
                new java.util.SplittableRandom(1))) {
            e.trigger(signal("x/h/app", EventSeverity.WARNING, "h", "app", "s"));
            e.tick();
            // The engine goes on while the target hangs.
            Incident other = e.trigger(signal("y/h/app", EventSeverity.WARNING, "h", "app2", "s"))
                    .orElseThrow();
            assertThat(e.acknowledge(other.id(), "x", "api")).isPresent();
            e.tick();
            release.countDown();
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<TimelineEntry> failures(IncidentEngine e, long id) {
        return e.get(id).orElseThrow().timeline().stream()
                .filter(t -> t.type() == TimelineEntry.Type.DELIVERY_FAILED)
                .toList();
    }

    @Test
    void persistence_reopen_openIncidentContinuesEscalatingWhereItWas() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        long id;
        try (IncidentEngine e = f.open()) {
            id = e.trigger(signal("x/h/app", EventSeverity.WARNING, "h", "app", "s"))
                    .orElseThrow()
                    .id();
            e.tick();
            f.clock.advance(Duration.ofMinutes(5));
            e.tick();
            assertThat(f.t("b").received).hasSize(1);
        }
        f.clock.advance(Duration.ofMinutes(3));
        try (IncidentEngine e = f.open()) {
            Incident i = e.get(id).orElseThrow();
            assertThat(i.level()).isEqualTo(1);
            assertThat(i.state()).isEqualTo(IncidentState.TRIGGERED);
            assertThat(i.timeline()).extracting(TimelineEntry::type).startsWith(TimelineEntry.Type.TRIGGERED);
            e.tick();
            assertThat(f.t("c").received).isEmpty();
            f.clock.advance(Duration.ofMinutes(7));
            e.tick();
            assertThat(f.t("c").reasons()).containsExactly("escalate");
            // Dedup survives the restart too.
            assertThat(e.trigger(signal("x/h/app", EventSeverity.WARNING, "h", "app", "s"))
                            .orElseThrow()
                            .id())
                    .isEqualTo(id);
        }
        try (IncidentStore store = new IncidentStore(dir.resolve("incidents.db"), 1000)) {
            assertThat(store.schemaVersion()).isEqualTo(IncidentStore.VERSION);
            assertThat(store.journalMode()).isEqualToIgnoringCase("wal");
        }
    }

    @Test
    void timeline_overCap_dropsOldestAndCountsThem() throws Exception {
        Fixture f = new Fixture(dir, POLICIES + "timeline_cap: 10\n");
        try (IncidentEngine e = f.open()) {
            long id = e.trigger(signal("x/h/app", EventSeverity.WARNING, "h", "app", "s"))
                    .orElseThrow()
                    .id();
            for (int k = 0; k < 25; k++) {
                e.trigger(signal("x/h/app", EventSeverity.WARNING, "h", "app", "s" + k));
            }
            Incident i = e.get(id).orElseThrow();
            assertThat(i.timeline()).hasSize(11);
            assertThat(i.timeline().get(0).type()).isEqualTo(TimelineEntry.Type.TRUNCATED);
            assertThat(i.timelineDropped()).isEqualTo(16);
            assertThat(i.timeline().get(0).data()).containsEntry("dropped", "16");
            assertThat(i.timeline().get(10).message()).contains("s24");
        }
    }

    @Test
    void retention_resolvedIncidentsOlderThanRetention_pruned() throws Exception {
        Fixture f = new Fixture(dir, POLICIES + "retention: 1d\n");
        try (IncidentEngine e = f.open()) {
            long old = e.trigger(signal("x/h/app", EventSeverity.WARNING, "h", "app", "s"))
                    .orElseThrow()
                    .id();
            e.resolve(old, "bob");
            long open = e.trigger(signal("y/h/app", EventSeverity.WARNING, "h", "app", "s"))
                    .orElseThrow()
                    .id();
            f.clock.advance(Duration.ofDays(2));
            e.pruneNow();
            assertThat(e.get(old)).isEmpty();
            assertThat(e.get(open)).isPresent();
        }
    }

    @Test
    void maxOpen_reached_newConditionRefusedAndCounted() throws Exception {
        Fixture f = new Fixture(dir, POLICIES + "max_open: 2\n");
        try (IncidentEngine e = f.open()) {
            assertThat(e.trigger(signal("k1", EventSeverity.WARNING, "h", "a", "s")))
                    .isPresent();
            assertThat(e.trigger(signal("k2", EventSeverity.WARNING, "h", "a", "s")))
                    .isPresent();
            assertThat(e.trigger(signal("k3", EventSeverity.WARNING, "h", "a", "s")))
                    .isEmpty();
            assertThat(e.trigger(signal("k1", EventSeverity.WARNING, "h", "a", "s")))
                    .isPresent();
            assertThat(f.metric("spillway_alert_signals_dropped", "reason", "max_open"))
                    .isEqualTo(1);
        }
    }

    @Test
    void ackToken_valid_acknowledgesViaLink() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        try (IncidentEngine e = f.open()) {
            long id = e.trigger(signal("x/h/app", EventSeverity.WARNING, "h", "app", "s"))
                    .orElseThrow()
                    .id();
            String token = e.ackToken(id);
            assertThat(token).matches("[0-9A-Za-z._-]+");
            assertThat(e.ackUrl(id)).startsWith("https://logs.example.com/ack/" + id + ".");
            assertThat(e.incidentForToken(token).orElseThrow().id()).isEqualTo(id);
            assertThat(e.incidentForToken(token + "x")).isEmpty();
            Incident acked = e.acknowledgeByToken(token).orElseThrow();
            assertThat(acked.state()).isEqualTo(IncidentState.ACKNOWLEDGED);
            assertThat(acked.acknowledgedVia()).isEqualTo("link");
            // Idempotent: a second click changes nothing.
            assertThat(e.acknowledgeByToken(token).orElseThrow().acknowledgedAt())
                    .isEqualTo(acked.acknowledgedAt());
        }
    }

    @Test
    void ackToken_tamperedOrOtherIncidentOrExpired_refused() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        try (IncidentEngine e = f.open()) {
            long one = e.trigger(signal("x/h/app", EventSeverity.WARNING, "h", "app", "s"))
                    .orElseThrow()
                    .id();
            long two = e.trigger(signal("y/h/app", EventSeverity.WARNING, "h", "app", "s"))
                    .orElseThrow()
                    .id();
            String token = e.ackToken(one);
            String[] parts = token.split("\\.");
            // The signature of incident one on incident two's id.
            assertThat(e.acknowledgeByToken(two + "." + parts[1] + "." + parts[2]))
                    .isEmpty();
            // A flipped signature character.
            char c = parts[2].charAt(0);
            assertThat(e.acknowledgeByToken(
                            parts[0] + "." + parts[1] + "." + (c == 'A' ? 'B' : 'A') + parts[2].substring(1)))
                    .isEmpty();
            // An extended expiry.
            assertThat(e.acknowledgeByToken(parts[0] + "." + (Long.parseLong(parts[1]) + 1) + "." + parts[2]))
                    .isEmpty();
            assertThat(e.acknowledgeByToken("garbage")).isEmpty();
            assertThat(e.acknowledgeByToken("1.2.")).isEmpty();
            assertThat(e.acknowledgeByToken("x".repeat(10_000))).isEmpty();
            f.clock.advance(Duration.ofDays(7));
            assertThat(e.acknowledgeByToken(token)).isEmpty();
            assertThat(e.get(one).orElseThrow().state()).isEqualTo(IncidentState.TRIGGERED);
            assertThat(e.get(two).orElseThrow().state()).isEqualTo(IncidentState.TRIGGERED);
        }
    }

    @Test
    void ackToken_keyFile_createdOwnerOnly_andReusedAcrossRestarts() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        String token;
        long id;
        try (IncidentEngine e = f.open()) {
            id = e.trigger(signal("x/h/app", EventSeverity.WARNING, "h", "app", "s"))
                    .orElseThrow()
                    .id();
            token = e.ackToken(id);
        }
        assertThat(java.nio.file.Files.getPosixFilePermissions(dir.resolve("alert-ack.key")))
                .containsExactlyInAnyOrder(
                        java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        try (IncidentEngine e = f.open()) {
            assertThat(e.acknowledgeByToken(token)).isPresent();
        }
    }

    @Test
    void events_firingThenCleared_opensAndAutoResolves_withTopWriter() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        try (IncidentEngine e = f.open()) {
            Event firing = new Event(
                    f.clock.instant(),
                    "disk_watermark",
                    "/var/lib/docker",
                    EventSeverity.CRITICAL,
                    Event.State.FIRING,
                    "node-7",
                    null,
                    "/var/lib/docker 91% used",
                    Map.of("used_percent", "91", "top_writer", "app sensors-api writes 3.1 GB/min"));
            e.events().publish(firing);
            e.tick();
            Incident i = e.list(IncidentFilter.all()).get(0);
            assertThat(i.dedupKey()).isEqualTo(firing.key());
            assertThat(i.source()).isEqualTo(IncidentSource.EVENT);
            assertThat(f.t("b").received).singleElement().satisfies(n -> {
                assertThat(n.topWriter()).isEqualTo("app sensors-api writes 3.1 GB/min");
                assertThat(n.details()).containsEntry("used_percent", "91");
            });
            e.events()
                    .publish(new Event(
                            f.clock.instant(),
                            "disk_watermark",
                            "/var/lib/docker",
                            EventSeverity.CRITICAL,
                            Event.State.CLEARED,
                            "node-7",
                            null,
                            "ok",
                            Map.of()));
            e.tick();
            Incident resolved = e.get(i.id()).orElseThrow();
            assertThat(resolved.state()).isEqualTo(IncidentState.RESOLVED);
            assertThat(resolved.resolvedBy()).isEqualTo("auto");
        }
    }

    @Test
    void autoResolveOff_clearRecordedButIncidentStaysOpen() throws Exception {
        Fixture f = new Fixture(dir, POLICIES + "auto_resolve: {event: false}\n");
        try (IncidentEngine e = f.open()) {
            long id = e.trigger(signal("x/h/app", EventSeverity.WARNING, "h", "app", "s"))
                    .orElseThrow()
                    .id();
            e.clear("x/h/app", IncidentSource.EVENT);
            Incident i = e.get(id).orElseThrow();
            assertThat(i.state()).isEqualTo(IncidentState.TRIGGERED);
            assertThat(types(i)).contains(TimelineEntry.Type.CLEARED);
        }
    }

    @Test
    void metrics_openBySeverity_reported() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        try (IncidentEngine e = f.open()) {
            e.trigger(signal("x/h/app", EventSeverity.CRITICAL, "h", "app", "s"));
            e.tick();
            assertThat(f.metric("spillway_alert_incidents_open", "severity", "critical"))
                    .isEqualTo(1);
            assertThat(f.metric("spillway_alert_incidents_open", "severity", "warning"))
                    .isEqualTo(0);
            assertThat(f.metric("spillway_alert_notifications_sent", "target", "a"))
                    .isEqualTo(1);
        }
    }

    @Test
    void trigger_hostIncidentTurnsCritical_pagesEveryoneAtOnce() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        try (IncidentEngine e = f.open()) {
            e.trigger(signal("disk_watermark/n//var", EventSeverity.WARNING, "n", null, "disk 85%"));
            e.tick();
            assertThat(f.t("b").received).isEmpty();
            e.trigger(signal("disk_watermark/n//var", EventSeverity.CRITICAL, "n", null, "disk 95%"));
            e.tick();
            assertThat(f.t("b").reasons()).containsExactly("escalate");
            assertThat(f.t("c").received.get(0).summary()).isEqualTo("disk 95%");
        }
    }

    @Test
    void events_queueOverflow_droppedAndCounted_neverBlocks() throws Exception {
        Fixture f = new Fixture(dir, POLICIES);
        try (IncidentEngine e = f.open()) {
            Event ev = new Event(
                    f.clock.instant(),
                    "drops",
                    "x",
                    EventSeverity.WARNING,
                    Event.State.FIRING,
                    "h",
                    "app",
                    "drops",
                    Map.of());
            for (int i = 0; i < IncidentEngine.EVENT_QUEUE + 5; i++) {
                e.events().publish(ev);
            }
            assertThat(f.metric("spillway_alert_signals_dropped", "reason", "event_queue_full"))
                    .isEqualTo(5);
            e.tick();
            assertThat(e.list(IncidentFilter.all())).hasSize(1);
        }
    }
}
