package io.spillway.event;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One condition observed by a Spillway component, firing or cleared.
 *
 * <p>Invariants: {@code kind} is a stable machine name such as {@code disk_watermark} or {@code
 * drops}; {@link #key()} identifies the condition (the same condition firing twice has the same key,
 * so an incident engine can group it and auto-resolve it on {@link State#CLEARED}); {@code details}
 * is an immutable copy.
 *
 * @param time when the condition was observed
 * @param kind what kind of condition (e.g. {@code disk_watermark}, {@code drops}, {@code output_down})
 * @param subject what the condition is about within the kind (a path, an output name, an app), used
 *     in the key; empty if the kind alone identifies it
 * @param severity how bad it is
 * @param state firing or cleared
 * @param host the host it happened on
 * @param app the app it concerns, if any
 * @param summary one human line, e.g. {@code /var/lib/docker 91% used (critical); top writer
 *     sensors-api 3.1 GB/min}
 * @param details small machine-readable facts (e.g. {@code used_percent}, {@code top_writer})
 */
public record Event(
        Instant time,
        String kind,
        String subject,
        EventSeverity severity,
        State state,
        String host,
        @Nullable String app,
        String summary,
        Map<String, String> details) {

    /** Whether the condition holds or has ended. */
    public enum State {
        FIRING,
        CLEARED
    }

    public Event {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(summary, "summary");
        details = Map.copyOf(details);
    }

    /** The condition's identity: {@code kind/host/subject}; stable across firing and clearing. */
    public String key() {
        return kind + "/" + host + (subject.isEmpty() ? "" : "/" + subject);
    }
}
