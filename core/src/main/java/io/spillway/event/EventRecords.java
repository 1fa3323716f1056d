package io.spillway.event;

import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns events into log lines, so that they are stored, tailed and shipped like any other line
 * (G3: what Spillway did and saw is visible where people read logs). Every event becomes a line of
 * app {@code _spillway}; an event about one app also becomes a line in that app's own stream, so its
 * owner sees it beside their logs. Stateless and thread-safe.
 */
public final class EventRecords {
    private EventRecords() {}

    /** The lines for one event: one in {@code _spillway}, and one in the event's app if it has one. */
    public static List<LogRecord> of(Event event) {
        String message = "[" + event.kind() + " " + (event.state() == Event.State.CLEARED ? "cleared" : "firing") + " "
                + event.severity().name().toLowerCase(java.util.Locale.ROOT) + "] " + event.summary();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("event", event.kind());
        fields.put("event_key", event.key());
        fields.put("event_state", event.state().name().toLowerCase(java.util.Locale.ROOT));
        event.details().forEach((k, v) -> fields.putIfAbsent(k, v));
        Severity severity = event.state() == Event.State.CLEARED
                ? Severity.NOTICE
                : switch (event.severity()) {
                    case CRITICAL -> Severity.CRITICAL;
                    case WARNING -> Severity.WARNING;
                    case INFO -> Severity.INFO;
                };
        long nanos =
                event.time().getEpochSecond() * 1_000_000_000L + event.time().getNano();
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        List<LogRecord> out = new ArrayList<>(2);
        out.add(new LogRecord(
                nanos, event.host(), AppNames.SPILLWAY, "spillway", LogStream.EVENT, severity, bytes, fields));
        String app = event.app();
        if (app != null && !app.equals(AppNames.SPILLWAY)) {
            out.add(new LogRecord(
                    nanos,
                    event.host(),
                    AppNames.normalize(app),
                    "spillway",
                    LogStream.EVENT,
                    severity,
                    bytes,
                    fields));
        }
        return out;
    }
}
