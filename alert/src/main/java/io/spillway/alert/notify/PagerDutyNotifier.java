package io.spillway.alert.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hands incidents over to PagerDuty through the Events API v2 ({@code type: pagerduty}).
 *
 * <p>Each notification becomes one event on the incident's dedup key, so PagerDuty's alert follows
 * Spillway's incident:
 *
 * <ul>
 *   <li>{@code trigger}, {@code escalate}, {@code renotify} → {@code event_action: trigger} with the
 *       full {@code payload} ({@code summary} cut to {@value #MAX_SUMMARY} characters, {@code source}
 *       = host, {@code severity} = {@code critical}, {@code warning} or {@code info} from the
 *       incident's severity, {@code component} = app, {@code timestamp}, {@code custom_details} with
 *       the details, top writer, incident id and level) and {@code links} to acknowledge and open
 *       the incident in Spillway;
 *   <li>{@code acknowledge} → {@code acknowledge}; {@code resolve} → {@code resolve} (these carry
 *       only the routing key, dedup key and action, as the API documents);
 *   <li>{@code test} → {@code resolve} on the dedup key {@code spillway-self-test/HOST/TARGET}: PagerDuty
 *       validates the routing key and drops the event because no alert is open, so a self-test never
 *       pages anyone.
 * </ul>
 *
 * <p>An unknown reason falls back to the incident's state. Dedup keys longer than PagerDuty's
 * {@value #MAX_DEDUP_KEY} characters are shortened to a prefix plus a SHA-256 of the whole key, so
 * the mapping stays one-to-one. Responses: 202 (any 2xx) delivered; 429 and 5xx retryable; 400
 * (invalid event or routing key) not. The routing key never appears in a message. Thread-safe.
 */
public final class PagerDutyNotifier implements Notifier, AutoCloseable {
    /** Events API v2: {@code payload.summary} is at most 1024 characters. */
    static final int MAX_SUMMARY = 1024;

    /** Events API v2: {@code dedup_key} is at most 255 characters. */
    static final int MAX_DEDUP_KEY = 255;

    private final String name;
    private final String routingKey;
    private final HttpDelivery http;

    /** @param routingKey the resolved integration key (never logged) */
    public PagerDutyNotifier(String name, TargetConfig config, String routingKey) {
        this.name = name;
        this.routingKey = routingKey;
        this.http = new HttpDelivery(
                name, "pagerduty", WebhookNotifier.requireUrl(config), config.connectTimeout(), config.timeout());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "pagerduty";
    }

    @Override
    public void send(Notification n) throws NotifyException {
        http.postJson(render(n, routingKey, name), Map.of());
    }

    /** The event action for a notification: {@code trigger}, {@code acknowledge} or {@code resolve}. */
    static String action(Notification n) {
        return switch (n.reason()) {
            case "trigger", "escalate", "renotify" -> "trigger";
            case "acknowledge" -> "acknowledge";
            case "resolve", "test" -> "resolve";
            default ->
                switch (n.state()) {
                    case "acknowledged" -> "acknowledge";
                    case "resolved" -> "resolve";
                    default -> "trigger";
                };
        };
    }

    static String severity(Notification n) {
        // PagerDuty's fourth level, "error", has no Spillway counterpart.
        return switch (n.severity()) {
            case CRITICAL -> "critical";
            case WARNING -> "warning";
            case INFO -> "info";
        };
    }

    static byte[] render(Notification n, String routingKey, String target) {
        ObjectNode root = WebhookNotifier.JSON.createObjectNode();
        root.put("routing_key", routingKey);
        String action = action(n);
        root.put("event_action", action);
        String dedup = "test".equals(n.reason()) ? "spillway-self-test/" + n.host() + "/" + target : n.dedupKey();
        root.put("dedup_key", dedupKey(dedup));
        if ("trigger".equals(action)) {
            ObjectNode payload = root.putObject("payload");
            payload.put("summary", cut(n.summary(), MAX_SUMMARY));
            payload.put("source", n.host());
            payload.put("severity", severity(n));
            payload.put("timestamp", n.time().toString());
            if (n.app() != null) {
                payload.put("component", n.app());
            }
            ObjectNode custom = payload.putObject("custom_details");
            new TreeMap<>(n.details()).forEach(custom::put);
            if (n.topWriter() != null) {
                custom.put("top_writer", n.topWriter());
            }
            custom.put("spillway_incident", n.incidentId());
            custom.put("escalation_level", n.level());
            custom.put("reason", n.reason());
            root.put("client", "Spillway");
            if (n.incidentUrl() != null && !n.incidentUrl().isBlank()) {
                root.put("client_url", n.incidentUrl());
            }
            ArrayNode links = root.putArray("links");
            if (Render.hasAck(n)) {
                ObjectNode l = links.addObject();
                l.put("href", n.ackUrl());
                l.put("text", "Acknowledge in Spillway");
            }
            if (n.incidentUrl() != null && !n.incidentUrl().isBlank()) {
                ObjectNode l = links.addObject();
                l.put("href", n.incidentUrl());
                l.put("text", "Open incident #" + n.incidentId() + " in Spillway");
            }
        }
        try {
            return WebhookNotifier.JSON.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("rendering a JSON tree cannot fail", e);
        }
    }

    static String dedupKey(String key) {
        if (key.length() <= MAX_DEDUP_KEY) {
            return key;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            String hash = HexFormat.of().formatHex(digest);
            return key.substring(0, MAX_DEDUP_KEY - hash.length() - 1) + "#" + hash;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "pagerduty \"" + name + "\" → " + http.where();
    }
}
