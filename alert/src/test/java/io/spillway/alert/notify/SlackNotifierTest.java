package io.spillway.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.alert.notify.Receiver.Reply;
import io.spillway.event.EventSeverity;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlackNotifierTest {
    static Notifier slack(Receiver r, String path) throws Exception {
        return Targets.notifier("targets:\n  team-chat:\n    type: slack\n    url: " + r.url(path) + "\n");
    }

    static Notification hostile() {
        return new Notification(
                "escalate",
                "7",
                "k",
                EventSeverity.WARNING,
                "triggered",
                "errors <!channel> & <https://evil.example|click me>",
                "node-1",
                "a&b",
                "app <x> writes 1 GB/min",
                Map.of("why", "<b>"),
                "https://spillway.example.com/ack/a|b>c",
                null,
                1,
                Samples.TIME);
    }

    @Test
    void send_trigger_postsTextBlocksAndAttachmentsWithAckLink() throws Exception {
        try (Receiver r = new Receiver(Reply.of(200, "ok"))) {
            Notifier n = slack(r, "/hooks/T000/B000/XXXX");
            n.send(Samples.trigger());
            Receiver.Request req = r.take();
            assertThat(req.header("Content-Type")).isEqualTo("application/json");
            JsonNode json = new ObjectMapper().readTree(req.body());
            String text = json.get("text").asText();
            assertThat(text)
                    .startsWith("*CRITICAL #42* /var/lib/docker 91% used")
                    .contains("Host: node-7 · App: sensors-api")
                    .contains("Top writer: app sensors-api writes 3.1 GB/min to /var/lib/docker on node-7")
                    .contains("<https://spillway.example.com/ack/tok-123|Acknowledge>")
                    .contains("<https://spillway.example.com/incidents/42|Open incident>");
            JsonNode block = json.get("blocks").get(0);
            assertThat(block.get("type").asText()).isEqualTo("section");
            assertThat(block.get("text").get("type").asText()).isEqualTo("mrkdwn");
            assertThat(block.get("text").get("text").asText()).isEqualTo(text);
            JsonNode att = json.get("attachments").get(0);
            assertThat(att.get("color").asText()).isEqualTo("#d40e0d");
            assertThat(att.get("fallback").asText()).isEqualTo("CRITICAL #42 /var/lib/docker 91% used");
            assertThat(att.get("fields").findValuesAsText("title")).contains("Severity", "State", "used_percent");
            ((AutoCloseable) n).close();
        }
    }

    @Test
    void render_controlCharactersInIncidentText_escapedAndLinkTargetEncoded() throws Exception {
        JsonNode json = new ObjectMapper().readTree(SlackNotifier.render(hostile()));
        String text = json.get("text").asText();
        assertThat(text)
                .contains("errors &lt;!channel&gt; &amp; &lt;https://evil.example|click me&gt;")
                .contains("App: a&amp;b")
                .contains("Top writer: app &lt;x&gt; writes")
                .contains("_(escalated to level 2)_")
                .contains("<https://spillway.example.com/ack/a%7Cb%3Ec|Acknowledge>")
                .doesNotContain("<!channel>")
                .doesNotContain("<https://evil");
        assertThat(json.get("attachments").get(0).get("fields").findValuesAsText("value"))
                .contains("&lt;b&gt;");
    }

    @Test
    void render_resolve_noAckLinkAndGreen() throws Exception {
        JsonNode json = new ObjectMapper().readTree(SlackNotifier.render(Samples.disk("resolve", "resolved")));
        assertThat(json.get("text").asText()).startsWith("*RESOLVED #42*").doesNotContain("Acknowledge");
        assertThat(json.get("attachments").get(0).get("color").asText()).isEqualTo("#2eb67d");
    }

    @Test
    void render_hugeSummary_cutButKeepsAckLink() {
        Notification base = Samples.trigger();
        Notification n = new Notification(
                "trigger",
                "1",
                "k",
                EventSeverity.CRITICAL,
                "triggered",
                "&".repeat(10_000),
                "h",
                null,
                null,
                Map.of(),
                base.ackUrl(),
                null,
                0,
                Samples.TIME);
        String text = SlackNotifier.text(n);
        assertThat(text.length()).isLessThanOrEqualTo(SlackNotifier.MAX_TEXT);
        assertThat(text).endsWith("|Acknowledge>");
        assertThat(text).doesNotContainPattern("&a?m?p?…");
    }

    @Test
    void send_revokedWebhook_notRetryableAndUrlTokenNotShown() throws Exception {
        try (Receiver r = new Receiver(Reply.of(404, "no_service"))) {
            Notifier n = slack(r, "/hooks/T000/B000/SECRETTOKEN");
            NotifyException e = catchThrowableOfType(NotifyException.class, () -> n.send(Samples.trigger()));
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage())
                    .contains("slack target \"team-chat\"")
                    .contains("HTTP 404: no_service")
                    .doesNotContain("SECRETTOKEN");
        }
    }
}
