package io.spillway.alert.intake;

import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.alert.signal.IncidentSource;
import io.spillway.alert.signal.Signal;
import io.spillway.event.EventSeverity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Parses an Alertmanager webhook body (payload {@code "version": "4"}) into signals. Pure: no I/O,
 * no engine state; thread-safe.
 *
 * <p>Payload shape (Alertmanager {@code notify/webhook}): {@code {version, groupKey, truncatedAlerts,
 * status, receiver, groupLabels, commonLabels, commonAnnotations, externalURL, alerts: [{status,
 * labels, annotations, startsAt, endsAt, generatorURL, fingerprint}]}}. Each alert becomes one
 * signal: {@code status: firing} triggers, {@code resolved} clears.
 *
 * <p>Mapping: dedup key {@code alertmanager/<fingerprint>}, or a hash of the sorted labels when the
 * fingerprint is missing; severity from the {@code severity} label ({@code critical}, {@code page},
 * {@code error} → critical; {@code info}, {@code none} → info; anything else or missing → warning);
 * host from the {@code host}, {@code hostname}, {@code node} or {@code instance} label ({@code
 * instance} without its port); app from {@code app}, {@code service} or {@code container} (none:
 * a host incident); summary from the {@code summary} or {@code description} annotation, prefixed by
 * the {@code alertname}. All labels are routing labels; annotations go to the details.
 *
 * <p>Bounds: the body is at most {@code intake.max_body} bytes (413 otherwise), at most {@code
 * intake.max_alerts} alerts, at most 64 labels and annotations per alert (further ones dropped),
 * values cut at 2048 characters, JSON nesting at most 32 deep. Invalid payloads answer 400 with every
 * problem listed; nothing of an invalid payload is applied.
 */
public final class AlertmanagerIntake {
    private final IntakeConfig config;

    public AlertmanagerIntake(IntakeConfig config) {
        this.config = config;
    }

    /** One alert of a payload. */
    public record Item(boolean firing, Signal signal) {}

    /** The parsed alerts, or the error answer. */
    public record Parsed(List<Item> items, @Nullable IntakeResult error) {}

    public Parsed parse(byte[] body, Instant now) {
        if (body.length > config.maxBody().bytes()) {
            return fail(
                    413,
                    "body of " + body.length + " bytes exceeds alert.intake.max_body ("
                            + config.maxBody().bytes() + " bytes)");
        }
        JsonNode root;
        try {
            root = Json.read(body);
        } catch (IOException e) {
            return fail(400, "not valid JSON: " + Json.describe(e));
        }
        List<String> errors = new ArrayList<>();
        if (!root.isObject()) {
            return fail(400, "expected a JSON object (an Alertmanager webhook payload)");
        }
        String version = Json.text(root, "version");
        if (!version.isEmpty() && !version.equals("4")) {
            errors.add("version: only Alertmanager webhook payload version 4 is supported, got \"" + version + "\"");
        }
        JsonNode alerts = root.get("alerts");
        if (alerts == null || !alerts.isArray()) {
            errors.add("alerts: required, a list of alerts");
            return fail(400, errors);
        }
        if (alerts.size() > config.maxAlerts()) {
            return fail(
                    413,
                    "alerts: " + alerts.size() + " alerts exceed alert.intake.max_alerts (" + config.maxAlerts() + ")");
        }
        String groupKey = Json.text(root, "groupKey");
        List<Item> items = new ArrayList<>(alerts.size());
        for (int i = 0; i < alerts.size(); i++) {
            Item item = alert(alerts.get(i), "alerts[" + i + "]", groupKey, now, errors);
            if (item != null) {
                items.add(item);
            }
        }
        if (!errors.isEmpty()) {
            return fail(400, errors);
        }
        return new Parsed(items, null);
    }

    private static @Nullable Item alert(JsonNode a, String at, String groupKey, Instant now, List<String> errors) {
        if (!a.isObject()) {
            errors.add(at + ": expected an object");
            return null;
        }
        String status = Json.text(a, "status").toLowerCase(Locale.ROOT);
        if (!status.equals("firing") && !status.equals("resolved")) {
            errors.add(at + ".status: expected \"firing\" or \"resolved\", got \"" + Json.text(a, "status") + "\"");
        }
        JsonNode labelsNode = a.get("labels");
        if (labelsNode == null || !labelsNode.isObject() || labelsNode.isEmpty()) {
            errors.add(at + ".labels: required, a non-empty object");
            return null;
        }
        Map<String, String> labels = Json.strings(labelsNode);
        Map<String, String> annotations = Json.strings(a.get("annotations"));
        Instant starts = now;
        String startsAt = Json.text(a, "startsAt");
        if (!startsAt.isEmpty()) {
            try {
                starts = Instant.parse(startsAt);
            } catch (DateTimeParseException e) {
                errors.add(at + ".startsAt: expected an RFC 3339 time, got \"" + startsAt + "\"");
            }
        }
        if (!status.equals("firing") && !status.equals("resolved")) {
            return null;
        }
        String fingerprint = Json.text(a, "fingerprint");
        String key = "alertmanager/" + (fingerprint.isEmpty() ? labelHash(labels) : Json.cut(fingerprint));
        if (key.length() > Signal.MAX_KEY) {
            key = "alertmanager/" + labelHash(Map.of("fingerprint", fingerprint));
        }
        String alertname = labels.getOrDefault("alertname", "alert");
        String text = first(annotations, "summary", "description", "message");
        String summary = text.isEmpty() ? alertname : "[" + alertname + "] " + text;
        Map<String, String> details = new LinkedHashMap<>(annotations);
        putIf(details, "starts_at", startsAt);
        putIf(details, "ends_at", Json.text(a, "endsAt"));
        putIf(details, "generator_url", Json.text(a, "generatorURL"));
        putIf(details, "group_key", Json.cut(groupKey));
        String appLabel = first(labels, "app", "service", "container");
        return new Item(
                status.equals("firing"),
                new Signal(
                        IncidentSource.ALERTMANAGER,
                        key,
                        "alertmanager",
                        severity(labels.get("severity")),
                        summary,
                        host(labels),
                        appLabel.isEmpty() ? null : appLabel,
                        labels,
                        details,
                        null,
                        starts));
    }

    static EventSeverity severity(@Nullable String label) {
        if (label == null) {
            return EventSeverity.WARNING;
        }
        return switch (label.toLowerCase(Locale.ROOT)) {
            case "critical", "page", "error", "high", "fatal" -> EventSeverity.CRITICAL;
            case "info", "none", "low" -> EventSeverity.INFO;
            default -> EventSeverity.WARNING;
        };
    }

    private static String host(Map<String, String> labels) {
        String h = first(labels, "host", "hostname", "node", "nodename");
        if (!h.isEmpty()) {
            return h;
        }
        String instance = labels.getOrDefault("instance", "");
        int colon = instance.lastIndexOf(':');
        // Keep IPv6 literals such as [::1] intact: strip only a trailing :port.
        if (colon > 0
                && instance.indexOf(']') < colon
                && instance.substring(colon + 1).chars().allMatch(Character::isDigit)) {
            return instance.substring(0, colon);
        }
        return instance;
    }

    private static String first(Map<String, String> m, String... keys) {
        for (String k : keys) {
            String v = m.get(k);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return "";
    }

    private static void putIf(Map<String, String> m, String k, String v) {
        if (!v.isEmpty()) {
            m.put(k, v);
        }
    }

    private static String labelHash(Map<String, String> labels) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
                d.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
                d.update(e.getValue().getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
            }
            return HexFormat.of().formatHex(d.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Answers one webhook request: parses {@code body} and, only if all of it is valid, hands each
     * alert to {@code apply} in payload order, then answers {@link #success}; an invalid payload
     * answers its error and applies nothing. The HTTP route calls this with the engine as {@code
     * apply}, so the engine sees typed alerts, never bytes or answers.
     */
    public IntakeResult handle(byte[] body, Instant now, Consumer<Item> apply) {
        Parsed parsed = parse(body, now);
        IntakeResult error = parsed.error();
        if (error != null) {
            return error;
        }
        for (Item item : parsed.items()) {
            apply.accept(item);
        }
        return success(parsed.items().size());
    }

    /**
     * The success answer (200) for a payload of {@code alerts} alerts: {@code
     * {"status":"success","alerts":N}}, built beside the error answers.
     */
    public static IntakeResult success(int alerts) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "success");
        body.put("alerts", alerts);
        return IntakeResult.ok(Json.render(body));
    }

    private static Parsed fail(int status, String error) {
        return fail(status, List.of(error));
    }

    private static Parsed fail(int status, List<String> errors) {
        return new Parsed(
                List.of(), new IntakeResult(status, Json.error("invalid", "Alertmanager payload is invalid", errors)));
    }
}
