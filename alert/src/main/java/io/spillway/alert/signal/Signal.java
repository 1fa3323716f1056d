package io.spillway.alert.signal;

import io.spillway.event.EventSeverity;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A condition reported by a source: "this is firing". Triggering the same {@code dedupKey} again
 * updates the open incident instead of opening another. Immutable.
 *
 * @param source which source reports it
 * @param dedupKey the condition's identity, e.g. {@code disk_watermark/node-7//var/lib/docker}
 * @param kind the kind of condition, e.g. {@code disk_watermark}, {@code heartbeat}, {@code error_rate}
 * @param severity how bad
 * @param summary one human line
 * @param host the host it concerns ({@code ""} if unknown)
 * @param app the app it concerns; {@code null} for a host-level condition
 * @param labels routing labels (matched by policies and silences)
 * @param details small facts to show
 * @param topWriter who is filling the disk, if it applies
 * @param time when the source observed it
 */
public record Signal(
        IncidentSource source,
        String dedupKey,
        String kind,
        EventSeverity severity,
        String summary,
        String host,
        @Nullable String app,
        Map<String, String> labels,
        Map<String, String> details,
        @Nullable String topWriter,
        Instant time) {
    /** Longest dedup key; sources cut longer keys with {@link #boundedKey}. */
    public static final int MAX_KEY = 512;

    /** Longest summary kept; longer ones are cut (with an ellipsis). */
    public static final int MAX_SUMMARY = 1024;

    /** The key cut to {@link #MAX_KEY} characters. */
    public static String boundedKey(String key) {
        return key.length() > MAX_KEY ? key.substring(0, MAX_KEY) : key;
    }

    public Signal {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(dedupKey, "dedupKey");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(time, "time");
        if (dedupKey.isEmpty() || dedupKey.length() > MAX_KEY) {
            throw new IllegalArgumentException(
                    "dedup key must have 1.." + MAX_KEY + " characters, got " + dedupKey.length());
        }
        if (summary.length() > MAX_SUMMARY) {
            summary = summary.substring(0, MAX_SUMMARY - 1) + "…";
        }
        labels = Map.copyOf(labels);
        details = Map.copyOf(details);
    }
}
