package io.spillway.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.alert.signal.IncidentSource;
import io.spillway.event.EventSeverity;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeartbeatsTest {
    @TempDir
    Path dir;

    @Test
    void hostSilent_afterSilentAfter_criticalHostIncidentPagesEveryone_recoversWhenBeatsReturn() throws Exception {
        Fixture f = new Fixture(dir, IncidentEngineTest.POLICIES);
        try (IncidentEngine e = f.open()) {
            e.heartbeats().beat("node-1", f.clock.instant());
            e.heartbeats().beat("node-2", f.clock.instant());
            f.clock.advance(Duration.ofSeconds(30));
            e.heartbeats().beat("node-2", f.clock.instant());
            f.clock.advance(Duration.ofSeconds(29));
            e.tick();
            assertThat(e.list(IncidentFilter.all())).isEmpty();

            f.clock.advance(Duration.ofSeconds(1));
            e.tick();
            Incident i = e.list(IncidentFilter.all()).get(0);
            assertThat(i.dedupKey()).isEqualTo("heartbeat/node-1");
            assertThat(i.severity()).isEqualTo(EventSeverity.CRITICAL);
            assertThat(i.hostIncident()).isTrue();
            assertThat(i.source()).isEqualTo(IncidentSource.HEARTBEAT);
            assertThat(f.t("a").received).hasSize(1);
            assertThat(f.t("b").received).hasSize(1);
            assertThat(f.t("c").received).hasSize(1);

            e.heartbeats().beat("node-1", f.clock.instant());
            e.tick();
            assertThat(e.get(i.id()).orElseThrow().state()).isEqualTo(IncidentState.RESOLVED);
        }
    }

    @Test
    void restart_hostStillSilent_staysOpen_clearsOnFirstBeat() throws Exception {
        Fixture f = new Fixture(dir, IncidentEngineTest.POLICIES);
        long id;
        try (IncidentEngine e = f.open()) {
            e.heartbeats().beat("node-1", f.clock.instant());
            f.clock.advance(Duration.ofMinutes(2));
            e.tick();
            id = e.list(IncidentFilter.all()).get(0).id();
        }
        try (IncidentEngine e = f.open()) {
            f.clock.advance(Duration.ofMinutes(2));
            e.tick();
            assertThat(e.get(id).orElseThrow().state()).isEqualTo(IncidentState.TRIGGERED);
            e.heartbeats().beat("node-1", f.clock.instant());
            e.tick();
            assertThat(e.get(id).orElseThrow().state()).isEqualTo(IncidentState.RESOLVED);
        }
    }

    @Test
    void maxHosts_reached_furtherHostsIgnoredAndCounted() throws Exception {
        Fixture f = new Fixture(dir, "heartbeat: {max_hosts: 2}\n");
        try (IncidentEngine e = f.open()) {
            for (int i = 0; i < 5; i++) {
                e.heartbeats().beat("h" + i, f.clock.instant());
            }
            assertThat(e.heartbeats().trackedHosts()).isEqualTo(2);
            assertThat(f.metric("spillway_alert_heartbeat_untracked", "", "")).isEqualTo(3);
            e.heartbeats().forget("h0");
            assertThat(e.heartbeats().trackedHosts()).isEqualTo(1);
        }
    }

    @Test
    void disabled_noIncidents() throws Exception {
        Fixture f = new Fixture(dir, "heartbeat: {enabled: false}\n");
        try (IncidentEngine e = f.open()) {
            e.heartbeats().beat("h", f.clock.instant());
            f.clock.advance(Duration.ofHours(1));
            e.tick();
            assertThat(e.list(IncidentFilter.all())).isEmpty();
        }
    }
}
