package io.spillway.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.alert.notify.Receiver.Reply;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookNotifierTest {
    static final String SECRET = "s3cret-key-for-tests-0123456789";
    static final Instant NOW = Instant.parse("2026-11-26T03:12:10.250Z");

    static TargetConfig config(String url, Duration timeout) {
        try {
            return Targets.one("targets:\n  oncall:\n    type: webhook\n    url: " + url + "\n    secret: " + SECRET
                    + "\n    timeout: " + timeout.toMillis() + "ms\n    connect_timeout: 2s\n");
        } catch (io.spillway.config.ConfigException e) {
            throw new AssertionError(e);
        }
    }

    static WebhookNotifier notifier(String url, Map<String, String> headers, Duration timeout) {
        return new WebhookNotifier("oncall", config(url, timeout), SECRET, headers, InstantSource.fixed(NOW));
    }

    /** HMAC-SHA256 written out from RFC 2104 over plain SHA-256, independent of javax.crypto.Mac. */
    static String rfc2104(byte[] key, byte[] message) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        if (key.length > 64) {
            key = sha.digest(key);
        }
        byte[] k = java.util.Arrays.copyOf(key, 64);
        byte[] ipad = new byte[64];
        byte[] opad = new byte[64];
        for (int i = 0; i < 64; i++) {
            ipad[i] = (byte) (k[i] ^ 0x36);
            opad[i] = (byte) (k[i] ^ 0x5c);
        }
        sha.update(ipad);
        byte[] inner = sha.digest(message);
        sha.update(opad);
        byte[] mac = sha.digest(inner);
        StringBuilder sb = new StringBuilder();
        for (byte b : mac) {
            sb.append(String.format(Locale.ROOT, "%02x", b & 0xff));
        }
        return sb.toString();
    }

    @Test
    void send_trigger_postsJsonSignedOverTimestampAndBody() throws Exception {
        try (Receiver r = new Receiver(Reply.of(204));
                WebhookNotifier n = notifier(
                        r.url("/hooks/spillway"), Map.of("Authorization", "Bearer abc"), Duration.ofSeconds(5))) {
            n.send(Samples.trigger());
            Receiver.Request req = r.take();

            assertThat(req.method()).isEqualTo("POST");
            assertThat(req.path()).isEqualTo("/hooks/spillway");
            assertThat(req.header("Content-Type")).isEqualTo("application/json");
            assertThat(req.header("Authorization")).isEqualTo("Bearer abc");
            String ts = req.header("X-Spillway-Timestamp");
            assertThat(ts).isEqualTo(Long.toString(NOW.getEpochSecond()));
            byte[] signed = (ts + "." + req.bodyText()).getBytes(StandardCharsets.UTF_8);
            assertThat(req.header("X-Spillway-Signature"))
                    .isEqualTo("sha256=" + rfc2104(SECRET.getBytes(StandardCharsets.UTF_8), signed));

            JsonNode json = new ObjectMapper().readTree(req.body());
            assertThat(json.get("version").asInt()).isEqualTo(1);
            assertThat(json.get("reason").asText()).isEqualTo("trigger");
            assertThat(json.get("sent_at").asText()).isEqualTo("2026-11-26T03:12:10.250Z");
            JsonNode inc = json.get("incident");
            assertThat(inc.get("id").asText()).isEqualTo("42");
            assertThat(inc.get("dedup_key").asText()).isEqualTo("disk_watermark/node-7//var/lib/docker");
            assertThat(inc.get("severity").asText()).isEqualTo("critical");
            assertThat(inc.get("state").asText()).isEqualTo("triggered");
            assertThat(inc.get("summary").asText()).isEqualTo("/var/lib/docker 91% used");
            assertThat(inc.get("host").asText()).isEqualTo("node-7");
            assertThat(inc.get("app").asText()).isEqualTo("sensors-api");
            assertThat(inc.get("top_writer").asText()).contains("3.1 GB/min");
            assertThat(inc.get("details").get("used_percent").asText()).isEqualTo("91");
            assertThat(inc.get("ack_url").asText()).isEqualTo("https://spillway.example.com/ack/tok-123");
            assertThat(inc.get("url").asText()).isEqualTo("https://spillway.example.com/incidents/42");
            assertThat(inc.get("level").asInt()).isZero();
        }
    }

    @Test
    void send_tamperedBody_signatureNoLongerMatches() throws Exception {
        try (Receiver r = new Receiver(Reply.of(200));
                WebhookNotifier n = notifier(r.url("/"), Map.of(), Duration.ofSeconds(5))) {
            n.send(Samples.trigger());
            Receiver.Request req = r.take();
            String ts = req.header("X-Spillway-Timestamp");
            String tampered = req.bodyText().replace("critical", "info");
            assertThat(req.header("X-Spillway-Signature"))
                    .isNotEqualTo("sha256="
                            + rfc2104(
                                    SECRET.getBytes(StandardCharsets.UTF_8),
                                    (ts + "." + tampered).getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void send_nullAppAndNoIncidentUrl_writesJsonNulls() throws Exception {
        Notification base = Samples.trigger();
        Notification n = new Notification(
                "resolve",
                base.incidentId(),
                base.dedupKey(),
                base.severity(),
                "resolved",
                base.summary(),
                base.host(),
                null,
                null,
                Map.of(),
                base.ackUrl(),
                null,
                2,
                base.time());
        try (Receiver r = new Receiver(Reply.of(200));
                WebhookNotifier w = notifier(r.url("/"), Map.of(), Duration.ofSeconds(5))) {
            w.send(n);
            JsonNode inc = new ObjectMapper().readTree(r.take().body()).get("incident");
            assertThat(inc.get("app").isNull()).isTrue();
            assertThat(inc.get("top_writer").isNull()).isTrue();
            assertThat(inc.get("url").isNull()).isTrue();
            assertThat(inc.get("level").asInt()).isEqualTo(2);
        }
    }

    @Test
    void send_500Then200_firstRetryableThenDelivered() throws Exception {
        try (Receiver r = new Receiver(Reply.of(500, "database is down"), Reply.of(200));
                WebhookNotifier n = notifier(r.url("/secret-path"), Map.of(), Duration.ofSeconds(5))) {
            NotifyException e = catchThrowableOfType(NotifyException.class, () -> n.send(Samples.trigger()));
            assertThat(e.retryable()).isTrue();
            assertThat(e.getMessage())
                    .contains("webhook target \"oncall\"")
                    .contains("HTTP 500")
                    .contains("database is down")
                    .doesNotContain("secret-path");
            n.send(Samples.trigger());
            assertThat(r.drain()).hasSize(2);
        }
    }

    @Test
    void send_429And408_retryable() throws Exception {
        try (Receiver r = new Receiver(Reply.of(429), Reply.of(408));
                WebhookNotifier n = notifier(r.url("/"), Map.of(), Duration.ofSeconds(5))) {
            for (int i = 0; i < 2; i++) {
                NotifyException e = catchThrowableOfType(NotifyException.class, () -> n.send(Samples.trigger()));
                assertThat(e.retryable()).isTrue();
            }
        }
    }

    @Test
    void send_400_notRetryableWithBodyExcerpt() throws Exception {
        try (Receiver r = new Receiver(Reply.of(400, "bad signature\n"));
                WebhookNotifier n = notifier(r.url("/"), Map.of(), Duration.ofSeconds(5))) {
            NotifyException e = catchThrowableOfType(NotifyException.class, () -> n.send(Samples.trigger()));
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("oncall").contains("HTTP 400: bad signature");
        }
    }

    @Test
    void send_hugeErrorBody_messageKeepsOnlyBoundedExcerpt() throws Exception {
        String huge = "x".repeat(5_000_000);
        try (Receiver r = new Receiver(Reply.of(503, huge));
                WebhookNotifier n = notifier(r.url("/"), Map.of(), Duration.ofSeconds(5))) {
            NotifyException e = catchThrowableOfType(NotifyException.class, () -> n.send(Samples.trigger()));
            assertThat(e.retryable()).isTrue();
            assertThat(e.getMessage().length()).isLessThan(HttpDelivery.MAX_EXCERPT + 200);
        }
    }

    @Test
    void send_redirect_notFollowedAndNotRetryable() throws Exception {
        try (Receiver r = new Receiver(Reply.of(302));
                WebhookNotifier n = notifier(r.url("/"), Map.of(), Duration.ofSeconds(5))) {
            NotifyException e = catchThrowableOfType(NotifyException.class, () -> n.send(Samples.trigger()));
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("HTTP 302");
            assertThat(r.drain()).hasSize(1);
        }
    }

    @Test
    void send_serverNeverAnswers_timesOutAsRetryable() throws Exception {
        try (Receiver r = new Receiver(Reply.hang());
                WebhookNotifier n = notifier(r.url("/"), Map.of(), Duration.ofMillis(300))) {
            NotifyException e = catchThrowableOfType(NotifyException.class, () -> n.send(Samples.trigger()));
            assertThat(e.retryable()).isTrue();
            assertThat(e.getMessage()).contains("oncall").contains("no response within the time limits");
        }
    }

    @Test
    void send_nothingListening_connectionFailureRetryable() throws Exception {
        int port = Receiver.deadPort();
        try (WebhookNotifier n = notifier("http://127.0.0.1:" + port + "/", Map.of(), Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> n.send(Samples.trigger()))
                    .isInstanceOfSatisfying(
                            NotifyException.class,
                            e -> assertThat(e.retryable()).isTrue())
                    .hasMessageContaining("webhook target \"oncall\" (http://127.0.0.1:" + port + ")");
        }
    }

    @Test
    void sign_knownVector_matchesRfc4231() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?" — split as "<ts>.<body>".
        String hex = WebhookNotifier.sign(
                "Jefe".getBytes(StandardCharsets.US_ASCII),
                "what do ya want for nothing?".substring(0, 4),
                "do ya want for nothing?".getBytes(StandardCharsets.US_ASCII));
        // "what" + "." + "do ya..." is not the RFC string, so check against the independent HMAC instead.
        try {
            assertThat(hex)
                    .isEqualTo(rfc2104(
                            "Jefe".getBytes(StandardCharsets.US_ASCII),
                            "what.do ya want for nothing?".getBytes(StandardCharsets.US_ASCII)));
            assertThat(rfc2104(
                            "Jefe".getBytes(StandardCharsets.US_ASCII),
                            "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII)))
                    .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
