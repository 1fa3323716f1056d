package io.spillway.alert.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * Posts to a Slack or Mattermost incoming webhook ({@code type: slack}).
 *
 * <p>The body has three parts, so that both products show the whole message:
 *
 * <ul>
 *   <li>{@code text}: the complete message in mrkdwn: status, incident number and summary; host and
 *       app; the top writer; and the links {@code <ack_url|Acknowledge>} and {@code <url|Open
 *       incident>}. Mattermost renders {@code text} (it understands Slack's {@code <url|label>}
 *       links); Slack uses it for the push notification.
 *   <li>{@code blocks}: one {@code section} block with the same text, which Slack shows instead of
 *       {@code text}; Mattermost ignores blocks.
 *   <li>{@code attachments}: one attachment coloured by severity with the incident's details as
 *       fields; both Slack and Mattermost render it.
 * </ul>
 *
 * <p>Every piece of incident text is escaped ({@code &} → {@code &amp;}, {@code <} → {@code &lt;},
 * {@code >} → {@code &gt;}), so a summary cannot forge a link or a mention; in link targets {@code <},
 * {@code >} and {@code |} are percent-encoded. Thread-safe.
 */
public final class SlackNotifier implements Notifier, AutoCloseable {
    /** Slack truncates a section block's text at 3000 characters; stay under it. */
    static final int MAX_TEXT = 2900;

    /** Attachment fields shown; the rest of a large details map is summarised. */
    static final int MAX_FIELDS = 10;

    private final String name;
    private final Map<String, String> headers;
    private final HttpDelivery http;

    public SlackNotifier(String name, TargetConfig config) {
        this.name = name;
        this.headers = Map.copyOf(Secret.reveal(config.headers()));
        this.http = new HttpDelivery(
                name, "slack", WebhookNotifier.requireUrl(config), config.connectTimeout(), config.timeout());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "slack";
    }

    @Override
    public void send(Notification n) throws NotifyException {
        http.postJson(render(n), headers);
    }

    static byte[] render(Notification n) {
        String text = text(n);
        ObjectNode root = WebhookNotifier.JSON.createObjectNode();
        root.put("text", text);
        ArrayNode blocks = root.putArray("blocks");
        ObjectNode section = blocks.addObject();
        section.put("type", "section");
        ObjectNode st = section.putObject("text");
        st.put("type", "mrkdwn");
        st.put("text", text);
        ArrayNode attachments = root.putArray("attachments");
        ObjectNode a = attachments.addObject();
        a.put("color", color(n));
        a.put("fallback", escape(Render.status(n) + " #" + n.incidentId() + " " + n.summary()));
        ArrayNode fields = a.putArray("fields");
        field(fields, "Severity", Render.severity(n), true);
        field(fields, "State", n.state(), true);
        int shown = 0;
        Map<String, String> details = new TreeMap<>(n.details());
        for (Map.Entry<String, String> e : details.entrySet()) {
            if (shown == MAX_FIELDS) {
                field(fields, "…", (details.size() - shown) + " more details in Spillway", false);
                break;
            }
            field(fields, e.getKey(), e.getValue(), true);
            shown++;
        }
        a.put("footer", escape("Spillway · " + n.dedupKey()));
        a.put("ts", n.time().getEpochSecond());
        try {
            return WebhookNotifier.JSON.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("rendering a JSON tree cannot fail", e);
        }
    }

    private static void field(ArrayNode fields, String title, String value, boolean isShort) {
        ObjectNode f = fields.addObject();
        f.put("title", escape(title));
        f.put("value", escape(value));
        f.put("short", isShort);
    }

    /** The whole message in Slack mrkdwn, escaped, at most {@link #MAX_TEXT} characters. */
    static String text(Notification n) {
        StringBuilder sb = new StringBuilder();
        sb.append('*')
                .append(Render.status(n))
                .append(" #")
                .append(escape(n.incidentId()))
                .append("* ")
                .append(escape(n.summary()));
        String phrase = Render.reasonPhrase(n);
        if (!phrase.isEmpty()) {
            sb.append(" _(").append(escape(phrase)).append(")_");
        }
        sb.append("\nHost: ").append(escape(n.host()));
        if (n.app() != null) {
            sb.append(" · App: ").append(escape(n.app()));
        }
        if (n.topWriter() != null) {
            sb.append("\nTop writer: ").append(escape(n.topWriter()));
        }
        StringBuilder links = new StringBuilder();
        if (Render.hasAck(n)) {
            links.append(link(n.ackUrl(), "Acknowledge"));
        }
        if (n.incidentUrl() != null && !n.incidentUrl().isBlank()) {
            if (!links.isEmpty()) {
                links.append(" · ");
            }
            links.append(link(n.incidentUrl(), "Open incident"));
        }
        String body = sb.toString();
        // Cut the free text, never the links: a page without its ack link is worse than a short one.
        int room = MAX_TEXT - links.length() - 1;
        if (body.length() > room) {
            body = body.substring(0, Math.max(0, room - 1)) + "…";
            // Do not leave half an entity such as "&am" at the cut.
            int amp = body.lastIndexOf('&');
            if (amp >= 0 && body.indexOf(';', amp) < 0) {
                body = body.substring(0, amp) + "…";
            }
        }
        return links.isEmpty() ? body : body + "\n" + links;
    }

    /** Slack's three control characters; everything else is shown as written. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** {@code <url|label>} with the URL's delimiters percent-encoded. */
    static String link(String url, String label) {
        String safe =
                url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E").replace("&", "&amp;");
        return "<" + safe + "|" + escape(label) + ">";
    }

    private static String color(Notification n) {
        return switch (Render.status(n)) {
            case "RESOLVED" -> "#2eb67d";
            case "ACKNOWLEDGED", "TEST" -> "#8a8a8a";
            case "CRITICAL" -> "#d40e0d";
            case "WARNING" -> "#e8a200";
            default -> "#439fe0";
        };
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "slack \"" + name + "\" → " + http.where();
    }
}
