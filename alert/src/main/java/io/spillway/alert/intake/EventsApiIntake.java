package io.spillway.alert.intake;

import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.alert.signal.IncidentSource;
import io.spillway.alert.signal.Signal;
import io.spillway.event.EventSeverity;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Parses a PagerDuty Events API v2 event ({@code POST /v2/enqueue} shape) so tools that already
 * speak it can page through Spillway. Pure: no I/O, no engine state; thread-safe.
 *
 * <p>Event shape: {@code {routing_key, event_action: trigger|acknowledge|resolve, dedup_key,
 * payload: {summary, source, severity: critical|error|warning|info, timestamp, component, group,
 * class, custom_details}}}. Rules as PagerDuty states them: {@code routing_key} is required; {@code
 * payload} with {@code summary} (at most 1024 characters), {@code source} and {@code severity} is
 * required for {@code trigger}; {@code dedup_key} (at most 255 characters) is required for {@code
 * acknowledge} and {@code resolve} and generated for a {@code trigger} without one.
 *
 * <p>Mapping: dedup key {@code events/<dedup_key>}; severity {@code critical} and {@code error} →
 * critical, {@code warning} → warning, {@code info} → info; host = {@code source}; app = {@code
 * component} if set (else a host incident); labels {@code source, component, group, class,
 * severity}; details = {@code custom_details} (bounded like Alertmanager labels).
 *
 * <p>Answers like PagerDuty: 202 {@code {"status":"success","message":"Event processed",
 * "dedup_key":"..."}}; 400 {@code {"status":"invalid event","message":"Event object is invalid",
 * "errors":[...]}}; 413 when the body exceeds {@code intake.max_body}.
 */
public final class EventsApiIntake {
    /** PagerDuty's limits for {@code payload.summary} and {@code dedup_key}. */
    static final int MAX_SUMMARY = 1024;

    static final int MAX_DEDUP_KEY = 255;

    /** The three event actions. */
    public enum Action {
        TRIGGER,
        ACKNOWLEDGE,
        RESOLVE
    }

    /** A valid event, or the error answer (then the other fields are placeholders). */
    public record Parsed(
            Action action,
            String dedupKey,
            @Nullable Signal signal,
            @Nullable IntakeResult error) {
        /** The engine's dedup key for this event: {@code events/<dedup_key>}. */
        public String engineKey() {
            return key(dedupKey);
        }
    }

    private final IntakeConfig config;

    public EventsApiIntake(IntakeConfig config) {
        this.config = config;
    }

    static String key(String dedupKey) {
        return "events/" + dedupKey;
    }

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
            return fail(400, "Event is not valid JSON: " + Json.describe(e));
        }
        if (!root.isObject()) {
            return fail(400, "Event must be a JSON object");
        }
        List<String> errors = new ArrayList<>();
        String routingKey = Json.text(root, "routing_key");
        if (routingKey.isEmpty()) {
            errors.add("'routing_key' is missing or blank");
        } else if (!config.routingKeys().isEmpty() && !config.routingKeys().contains(routingKey)) {
            errors.add("'routing_key' is not one of the keys configured in alert.intake.routing_keys");
        }
        String actionText = Json.text(root, "event_action");
        Action action = switch (actionText) {
            case "trigger" -> Action.TRIGGER;
            case "acknowledge" -> Action.ACKNOWLEDGE;
            case "resolve" -> Action.RESOLVE;
            default -> {
                errors.add("'event_action' must be one of trigger, acknowledge, resolve; got \"" + actionText + "\"");
                yield null;
            }
        };
        String dedup = Json.text(root, "dedup_key");
        if (dedup.length() > MAX_DEDUP_KEY) {
            errors.add("'dedup_key' must be at most " + MAX_DEDUP_KEY + " characters, got " + dedup.length());
        }
        if (dedup.isEmpty() && (action == Action.ACKNOWLEDGE || action == Action.RESOLVE)) {
            errors.add("'dedup_key' is required for " + actionText + " events");
        }
        Signal signal = null;
        if (action == Action.TRIGGER) {
            if (dedup.isEmpty()) {
                dedup = UUID.randomUUID().toString().replace("-", "");
            }
            signal = trigger(root.get("payload"), dedup, now, errors);
        }
        if (!errors.isEmpty() || action == null) {
            return fail(400, errors);
        }
        return new Parsed(action, dedup, signal, null);
    }

    private static @Nullable Signal trigger(
            @Nullable JsonNode payload, String dedup, Instant now, List<String> errors) {
        if (payload == null || !payload.isObject()) {
            errors.add("'payload' is missing or not an object (required for trigger events)");
            return null;
        }
        String summary = Json.text(payload, "summary");
        String source = Json.text(payload, "source");
        String severityText = Json.text(payload, "severity");
        if (summary.isBlank()) {
            errors.add("'payload.summary' is missing or blank");
        } else if (summary.length() > MAX_SUMMARY) {
            errors.add("'payload.summary' must be at most " + MAX_SUMMARY + " characters, got " + summary.length());
        }
        if (source.isBlank()) {
            errors.add("'payload.source' is missing or blank");
        }
        EventSeverity severity = switch (severityText.toLowerCase(Locale.ROOT)) {
            case "critical", "error" -> EventSeverity.CRITICAL;
            case "warning" -> EventSeverity.WARNING;
            case "info" -> EventSeverity.INFO;
            default -> {
                errors.add("'payload.severity' must be one of critical, error, warning, info; got \"" + severityText
                        + "\"");
                yield null;
            }
        };
        String ts = Json.text(payload, "timestamp");
        Instant time = timestamp(ts, now);
        if (!errors.isEmpty() || severity == null) {
            return null;
        }
        String component = Json.cut(Json.text(payload, "component"));
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("source", Json.cut(source));
        labels.put("severity", severityText.toLowerCase(Locale.ROOT));
        putIf(labels, "component", component);
        putIf(labels, "group", Json.cut(Json.text(payload, "group")));
        putIf(labels, "class", Json.cut(Json.text(payload, "class")));
        Map<String, String> details = Json.strings(payload.get("custom_details"));
        return new Signal(
                IncidentSource.EVENTS_API,
                key(dedup),
                "events_api",
                severity,
                summary,
                Json.cut(source),
                component.isEmpty() ? null : component,
                labels,
                details,
                null,
                time);
    }

    /**
     * PagerDuty documents ISO 8601 timestamps and its own examples use {@code +0000} offsets, which
     * {@link Instant#parse} does not read; accept both, and fall back to the arrival time rather than
     * refusing a page over a timestamp.
     */
    static Instant timestamp(String ts, Instant now) {
        if (ts.isEmpty()) {
            return now;
        }
        try {
            return Instant.parse(ts);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(ts, LENIENT).toInstant();
            } catch (DateTimeParseException e2) {
                return now;
            }
        }
    }

    private static final java.time.format.DateTimeFormatter LENIENT = java.time.format.DateTimeFormatter.ofPattern(
            "yyyy-MM-dd'T'HH:mm:ss[.SSSSSSSSS][.SSSSSS][.SSS]XX", Locale.ROOT);

    private static void putIf(Map<String, String> m, String k, String v) {
        if (!v.isEmpty()) {
            m.put(k, v);
        }
    }

    /**
     * Answers one Events API request: parses {@code body} and, if it is a valid event, hands it to
     * {@code apply} (whose {@link Parsed#error()} is then null), then answers {@link #success}; an
     * invalid event answers its error and applies nothing. The HTTP route calls this with the engine
     * as {@code apply}.
     */
    public IntakeResult handle(byte[] body, Instant now, Consumer<Parsed> apply) {
        Parsed parsed = parse(body, now);
        IntakeResult error = parsed.error();
        if (error != null) {
            return error;
        }
        apply.accept(parsed);
        return success(parsed.dedupKey());
    }

    /** PagerDuty's success answer (202). */
    public static IntakeResult success(String dedupKey) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "success");
        body.put("message", "Event processed");
        body.put("dedup_key", dedupKey);
        return new IntakeResult(202, Json.render(body));
    }

    private static Parsed fail(int status, String error) {
        return fail(status, List.of(error));
    }

    private static Parsed fail(int status, List<String> errors) {
        return new Parsed(
                Action.TRIGGER,
                "",
                null,
                new IntakeResult(status, Json.error("invalid event", "Event object is invalid", errors)));
    }
}
