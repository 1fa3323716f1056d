package io.spillway.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.alert.intake.AlertmanagerIntake;
import io.spillway.alert.intake.EventsApiIntake;
import io.spillway.alert.intake.IntakeResult;
import io.spillway.alert.signal.IncidentSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The intake endpoints end to end through the engine (without HTTP). */
class EngineIntakeTest {
    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What {@code POST /api/v1/alerts/alertmanager} does: the intake parses and answers, the engine applies. */
    static IntakeResult handleAlertmanager(Fixture f, IncidentEngine e, byte[] body) {
        return new AlertmanagerIntake(f.config.intake()).handle(body, f.clock.instant(), e::applyAlertmanager);
    }

    /** What {@code POST /api/v1/alerts/events} does: the intake parses and answers, the engine applies. */
    static IntakeResult handleEvents(Fixture f, IncidentEngine e, byte[] body) {
        return new EventsApiIntake(f.config.intake()).handle(body, f.clock.instant(), e::applyEvent);
    }

    @Test
    void alertmanager_firingThenResolved_opensThenAutoResolves() throws Exception {
        Fixture f = new Fixture(dir, IncidentEngineTest.POLICIES);
        try (IncidentEngine e = f.open()) {
            IntakeResult r = handleAlertmanager(f, e, b(io.spillway.alert.intake.AlertmanagerIntakeTest.FIRING));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains("\"alerts\":2");
            assertThat(e.list(IncidentFilter.all())).hasSize(2);
            // Alertmanager re-sends firing groups: dedup, no second incident.
            handleAlertmanager(f, e, b(io.spillway.alert.intake.AlertmanagerIntakeTest.FIRING));
            assertThat(e.list(IncidentFilter.all())).hasSize(2);
            handleAlertmanager(f, e, b(io.spillway.alert.intake.AlertmanagerIntakeTest.RESOLVED));
            assertThat(e.list(IncidentFilter.all().withState(IncidentState.RESOLVED)))
                    .singleElement()
                    .satisfies(i -> assertThat(i.dedupKey()).isEqualTo("alertmanager/1a30ba71cca2921f"));
            // The latency alert on node-7 (app checkout) was attached to the NodeDown host incident.
            Incident latency = e.list(IncidentFilter.all().withState(IncidentState.TRIGGERED))
                    .get(0);
            assertThat(latency.app()).isEqualTo("checkout");
        }
    }

    @Test
    void alertmanager_invalid_nothingApplied() throws Exception {
        Fixture f = new Fixture(dir, IncidentEngineTest.POLICIES);
        try (IncidentEngine e = f.open()) {
            IntakeResult r = handleAlertmanager(
                    f,
                    e,
                    b(
                            "{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"a\":\"b\"}},{\"status\":\"bogus\",\"labels\":{\"a\":\"c\"}}]}"));
            assertThat(r.status()).isEqualTo(400);
            assertThat(e.list(IncidentFilter.all())).isEmpty();
        }
    }

    @Test
    void eventsApi_triggerAcknowledgeResolve() throws Exception {
        Fixture f = new Fixture(dir, IncidentEngineTest.POLICIES);
        try (IncidentEngine e = f.open()) {
            IntakeResult r = handleEvents(f, e, b(io.spillway.alert.intake.EventsApiIntakeTest.TRIGGER));
            assertThat(r.status()).isEqualTo(202);
            assertThat(r.body()).contains("\"dedup_key\":\"samplekeyhere\"");
            Incident i = e.list(IncidentFilter.all()).get(0);
            assertThat(i.source()).isEqualTo(IncidentSource.EVENTS_API);

            handleEvents(
                    f,
                    e,
                    b("{\"routing_key\":\"k\",\"event_action\":\"acknowledge\",\"dedup_key\":\"samplekeyhere\"}"));
            assertThat(e.get(i.id()).orElseThrow().state()).isEqualTo(IncidentState.ACKNOWLEDGED);
            assertThat(e.get(i.id()).orElseThrow().acknowledgedVia()).isEqualTo("events_api");

            IntakeResult res = handleEvents(
                    f, e, b("{\"routing_key\":\"k\",\"event_action\":\"resolve\",\"dedup_key\":\"samplekeyhere\"}"));
            assertThat(res.status()).isEqualTo(202);
            assertThat(e.get(i.id()).orElseThrow().state()).isEqualTo(IncidentState.RESOLVED);

            assertThat(handleEvents(f, e, b("{}")).status()).isEqualTo(400);
        }
    }
}
