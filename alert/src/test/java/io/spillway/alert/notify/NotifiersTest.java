package io.spillway.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NotifiersTest {
    static final String ALL = """
            targets:
              oncall-webhook:
                type: webhook
                url: https://hooks.example.com/spillway
                secret_env: HOOK_SECRET
                headers: {Authorization: Bearer abc}
              team-chat:
                type: slack
                url: https://hooks.slack.com/services/T000/B000/XXXX
                self_test: false
              ops-mail:
                type: email
                host: smtp.example.com
                username: spillway
                password_env: SMTP_PASSWORD
                from: spillway@example.com
                to: [oncall@example.com]
              pd:
                type: pagerduty
                routing_key_env: PD_KEY
            """;
    static final Map<String, String> ENV =
            Map.of("HOOK_SECRET", "0123456789abcdef0123", "SMTP_PASSWORD", "pw", "PD_KEY", "key");

    @Test
    void build_everyType_oneNotifierPerTargetInFileOrder() throws Exception {
        Map<String, Notifier> n = Targets.build(ALL, ENV);
        assertThat(n.keySet()).containsExactly("oncall-webhook", "team-chat", "ops-mail", "pd");
        assertThat(n.values()).extracting(Notifier::kind).containsExactly("webhook", "slack", "email", "pagerduty");
        assertThat(NotifierSelfTest.periodicTargets(Targets.parse(ALL)))
                .containsExactly("oncall-webhook", "ops-mail", "pd");
        Notifiers.closeAll(n.values());
    }

    @Test
    void parse_defaults_asDocumented() throws Exception {
        Map<String, TargetConfig> t = Targets.parse(ALL);
        TargetConfig mail = t.get("ops-mail");
        assertThat(mail.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(mail.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(mail.startTlsMode()).isEqualTo(TargetConfig.StartTls.REQUIRED);
        assertThat(mail.effectivePort()).isEqualTo(587);
        assertThat(mail.subject()).isEqualTo("[{status}] #{id} {summary} on {host}");
        assertThat(mail.selfTest()).isTrue();
        assertThat(t.get("pd").effectiveUrl()).hasToString("https://events.pagerduty.com/v2/enqueue");
    }

    @Test
    void build_missingEnvironmentVariables_reportsEveryOneWithKeyPath() {
        assertThatThrownBy(() -> Targets.build(ALL, Map.of()))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.problems())
                                .containsExactly(
                                        "alert.targets.oncall-webhook.secret_env: environment variable HOOK_SECRET is not set or empty",
                                        "alert.targets.ops-mail.password_env: environment variable SMTP_PASSWORD is not set or empty",
                                        "alert.targets.pd.routing_key_env: environment variable PD_KEY is not set or empty"));
    }

    @Test
    void build_shortSecretFromEnvironment_refused() {
        assertThatThrownBy(
                        () -> Targets.build(ALL, Map.of("HOOK_SECRET", "short", "SMTP_PASSWORD", "p", "PD_KEY", "k")))
                .hasMessageContaining(
                        "alert.targets.oncall-webhook.secret_env: the secret in HOOK_SECRET must be at least 16");
    }

    @Test
    void build_noType_requiredWithChoices() {
        assertThatThrownBy(() -> Targets.build("targets:\n  x:\n    url: https://a.example/\n", Map.of()))
                .hasMessage("alert.targets.x.type: is required, one of webhook, slack, email, pagerduty");
    }

    @Test
    void build_badTargetName_refused() {
        assertThatThrownBy(() -> Targets.build(
                        "targets:\n  \"on call!\":\n    type: slack\n    url: https://a.example/\n", Map.of()))
                .hasMessageContaining("alert.targets.on call!: a target name uses 1 to 64 of");
    }

    @Test
    void parse_webhookWithoutUrl_failsWithKeyPath() {
        assertThatThrownBy(() -> Targets.parse("targets:\n  h:\n    type: webhook\n    secret: 0123456789abcdef\n"))
                .hasMessageContaining("targets.h.url: is required for type webhook");
    }

    @Test
    void parse_badValues_clearMessagesWithKeyPaths() {
        assertThat(problem("type: webhook\n    url: ftp://x.example/\n    secret: 0123456789abcdef"))
                .contains("targets.t.url: must be an http:// or https:// URL with a host");
        assertThat(problem("type: webhook\n    url: https://x.example/\n    secret: short"))
                .contains("targets.t.secret: must be at least 16 characters, got 5");
        assertThat(problem(
                        "type: webhook\n    url: https://x.example/\n    secret: 0123456789abcdef\n    secret_env: X"))
                .contains("targets.t.secret: set either secret or secret_env, not both");
        assertThat(
                        problem(
                                "type: webhook\n    url: https://x.example/\n    secret: 0123456789abcdef\n    headers: {X-Spillway-Signature: x}"))
                .contains("targets.t.headers.X-Spillway-Signature: is set by Spillway and cannot be configured");
        assertThat(problem("type: slack\n    url: https://x.example/\n    routing_key: k"))
                .contains("targets.t.routing_key: does not apply to type slack");
        assertThat(problem("type: slack\n    url: https://x.example/\n    port: 8443"))
                .contains("targets.t.port: does not apply to type slack (put the port in url)");
        assertThat(problem("type: pagerduty\n    routing_key: k\n    subject: x"))
                .contains("targets.t.subject: does not apply to type pagerduty");
        assertThat(problem("type: pagerduty")).contains("targets.t.routing_key: is required (or routing_key_env)");
        assertThat(problem("type: email\n    host: h\n    from: a@b.c\n    to: [a@b.c]\n    tls: true"))
                .contains("targets.t.starttls: must be off when tls is true");
        assertThat(problem("type: email\n    host: h\n    from: a@b.c\n    to: [a@b.c]\n    starttls: sometimes"))
                .contains("targets.t.starttls: expected one of required, opportunistic, off, got \"sometimes\"");
        assertThat(problem("type: email\n    host: h\n    from: a@b.c"))
                .contains("targets.t.to: needs at least one recipient for type email");
        assertThat(problem("type: email\n    host: h\n    from: a@b.c\n    to: [a@b.c]\n    username: u"))
                .contains("targets.t.password: is required (or password_env)");
        assertThat(problem("type: slack\n    url: https://x.example/\n    timeout: 0s"))
                .contains("targets.t.timeout: must be between 1ms and 5m");
        assertThat(problem("type: slack\n    url: https://x.example/\n    chanel: ops"))
                .contains("targets.t.chanel: unknown key");
        assertThat(problem("type: sms\n    url: https://x.example/"))
                .contains("targets.t.type: expected one of webhook, slack, email, pagerduty");
    }

    @Test
    void parse_starttlsOffWrittenBare_meansOff() throws Exception {
        TargetConfig c = Targets.one(
                "targets:\n  m:\n    type: email\n    host: h\n    from: a@b.c\n    to: a@b.c\n    starttls: off\n    tls: true\n");
        assertThat(c.startTlsMode()).isEqualTo(TargetConfig.StartTls.OFF);
        assertThat(c.effectivePort()).isEqualTo(465);
    }

    static final String SECRETS = """
            targets:
              h: {type: webhook, url: "https://x.example/", secret: very-secret-hmac-key, headers: {Authorization: Bearer tok-zzz}}
              p: {type: pagerduty, routing_key: rk-secret-value}
              m: {type: email, host: h, from: a@b.c, to: a@b.c, username: u, password: pw-secret-value}
              s: {type: slack, url: "https://hooks.slack.com/services/T000/B000/SLACKTOKEN"}
            """;

    @Test
    void toString_secrets_neverShown() throws Exception {
        assertThat(Targets.parse(SECRETS).toString())
                .doesNotContain("very-secret-hmac-key")
                .doesNotContain("tok-zzz")
                .doesNotContain("rk-secret-value")
                .doesNotContain("pw-secret-value")
                .doesNotContain("SLACKTOKEN")
                .contains("secret=***")
                .contains("url=https://hooks.slack.com/…");
    }

    @Test
    void effectiveConfigView_secrets_shownAsStars() throws Exception {
        String yaml = io.spillway.config.ConfigBinder.toYaml(
                io.spillway.config.ConfigBinder.toTree(new Targets.Root(Targets.parse(SECRETS))));
        assertThat(yaml)
                .doesNotContain("very-secret-hmac-key")
                .doesNotContain("tok-zzz")
                .doesNotContain("rk-secret-value")
                .doesNotContain("pw-secret-value")
                .doesNotContain("SLACKTOKEN")
                .contains("***")
                .contains("https://hooks.slack.com/…");
    }

    static String problem(String body) {
        try {
            Targets.parse("targets:\n  t:\n    " + body + "\n");
        } catch (ConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected a config error for " + body);
    }
}
