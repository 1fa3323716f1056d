package io.spillway.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.config.ConfigBinder;
import io.spillway.config.ConfigException;
import io.spillway.event.EventSeverity;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AlertConfigTest {
    /** The full example of docs/incidents.md (keep them in sync). */
    static final String EXAMPLE = """
            public_url: https://logs.example.com
            policies:
              - name: hosts
                match: {severity: critical}
                levels:
                  - {everyone: true, delay: 10m}
                renotify: 30m
              - name: payments
                match: {app: "payments-*", labels: {team: payments}}
                levels:
                  - {targets: [payments-slack], delay: 5m}
                  - {targets: [oncall-pager], delay: 10m}
                  - {everyone: true, delay: 15m}
                repeat: true
              - name: chat-only
                match: {severity: info}
                levels:
                  - {targets: [ops-slack], delay: 1h}
                repeat: false
            default_policy: hosts
            silences:
              - matcher: {host: "node-1?"}
                starts: "2026-06-01T22:00:00Z"
                ends: "2026-06-01T23:30:00Z"
                comment: kernel upgrade of node-10..19
            rules:
              - name: errors
                type: error_rate
                app: "*"
                min_severity: error
                threshold: 100
                window: 1m
                quiet: 5m
                severity: warning
              - name: oom
                type: pattern
                pattern: "OutOfMemoryError|Killed process \\\\d+"
                severity: critical
                labels: {team: platform}
            rule_max_apps: 10000
            heartbeat: {enabled: true, silent_after: 60s, max_hosts: 10000}
            auto_resolve: {event: true, rule: true, heartbeat: true, alertmanager: true, events_api: false}
            delivery: {max_attempts: 6, initial_backoff: 2s, max_backoff: 5m, threads: 4, max_pending: 10000}
            intake: {max_body: 1MiB, max_alerts: 1000, routing_keys: []}
            retention: 30d
            timeline_cap: 1000
            max_open: 10000
            ack_link_ttl: 7d
            """;

    @Test
    void bind_fullExample_everyKeyRead() throws Exception {
        AlertConfig c = Fixture.config(EXAMPLE);
        assertThat(c.publicUrl()).isEqualTo("https://logs.example.com");
        assertThat(c.policies()).extracting(AlertConfig.Policy::name).containsExactly("hosts", "payments", "chat-only");
        assertThat(c.policies().get(1).levels()).hasSize(3);
        assertThat(c.policies().get(1).levels().get(2).everyone()).isTrue();
        assertThat(c.policies().get(1).match().labels()).containsEntry("team", "payments");
        assertThat(c.policies().get(2).repeat()).isEqualTo(Repeat.NEVER);
        assertThat(c.policies().get(0).match().severity()).isEqualTo(EventSeverity.CRITICAL);
        assertThat(c.effectiveDefaultPolicy().name()).isEqualTo("hosts");
        assertThat(c.silences()).hasSize(1);
        assertThat(c.rules().get(1).pattern()).isEqualTo("OutOfMemoryError|Killed process \\d+");
        assertThat(c.autoResolve().eventsApi()).isFalse();
        assertThat(c.heartbeat().silentAfter()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void toTree_fullExample_bindsBackToTheSameConfig() throws Exception {
        AlertConfig c = Fixture.config(EXAMPLE);
        com.fasterxml.jackson.databind.JsonNode tree = ConfigBinder.toTree(c);
        assertThat(ConfigBinder.bind(AlertConfig.class, tree)).isEqualTo(c);
    }

    @Test
    void defaults_emptyConfig_valid() throws Exception {
        AlertConfig c = Fixture.config("{}");
        assertThat(c).isEqualTo(AlertConfig.defaults());
        assertThat(c.effectiveDefaultPolicy().levels().get(0).everyone()).isTrue();
        assertThat(ConfigBinder.toTree(c)).isNotNull();
    }

    @Test
    void repeat_numberTrueFalse_parsed() throws Exception {
        assertThat(Repeat.parse("3").rounds()).isEqualTo(3);
        assertThat(Repeat.parse("true")).isEqualTo(Repeat.FOREVER);
        assertThat(Repeat.parse("false")).isEqualTo(Repeat.NEVER);
        assertThat(Fixture.config("policies: [{name: p, levels: [{everyone: true}], repeat: 2}]")
                        .policies()
                        .get(0)
                        .repeat()
                        .rounds())
                .isEqualTo(2);
        assertThatThrownBy(() -> Repeat.parse("often")).hasMessageContaining("whole number");
    }

    @Test
    void bind_invalid_everyProblemNamedWithItsKey() {
        assertThatThrownBy(() -> Fixture.config("""
                        public_url: logs.example.com
                        policies:
                          - levels: [{delay: 5m}]
                          - name: p
                          - name: p
                            levels: [{everyone: true}]
                        default_policy: nope
                        timeline_cap: 2
                        """))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains("levels[0]"));
        assertThatThrownBy(() -> Fixture.config("public_url: logs.example.com"))
                .hasMessageContaining("public_url")
                .hasMessageContaining("http://");
        assertThatThrownBy(() -> Fixture.config("policies: [{name: p}]"))
                .hasMessageContaining("policies[0].levels")
                .hasMessageContaining("at least one level");
        assertThatThrownBy(() -> Fixture.config("default_policy: nope"))
                .hasMessageContaining("default_policy")
                .hasMessageContaining("nope");
        assertThatThrownBy(() -> Fixture.config("silences: [{comment: x, ends: tomorrow}]"))
                .hasMessageContaining("silences[0].ends")
                .hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> Fixture.config("policies: [{name: p, levels: [{everyone: true}], bogus: 1}]"))
                .hasMessageContaining("policies[0].bogus: unknown key");
        assertThatThrownBy(() -> Fixture.config("delivery: {threads: 0}")).hasMessageContaining("delivery.threads");
    }
}
