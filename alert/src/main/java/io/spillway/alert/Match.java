package io.spillway.alert;

import io.spillway.config.Check;
import io.spillway.config.Glob;
import io.spillway.event.EventSeverity;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Which incidents a policy or a silence applies to ({@code match:} of a policy, {@code matcher:} of a
 * silence). Every key that is set must match; keys left out match anything. Immutable.
 *
 * <ul>
 *   <li>{@code severity} (default unset): for a policy, the incident's severity is at least this
 *       ({@code warning} matches warning and critical); for a silence, exactly this.
 *   <li>{@code host} (default unset): a glob ({@code *} any run, {@code ?} one character) on the host.
 *   <li>{@code app} (default unset): a glob on the app; an incident without app never matches a set
 *       {@code app}.
 *   <li>{@code kind} (default unset): the incident's kind exactly, e.g. {@code disk_watermark},
 *       {@code heartbeat}, {@code error_rate}, {@code pattern}, {@code alertmanager}, {@code events_api}.
 *   <li>{@code labels} (default none): each {@code key: value} must be among the incident's labels.
 * </ul>
 */
public record Match(
        @Nullable EventSeverity severity,
        @Nullable String host,
        @Nullable String app,
        @Nullable String kind,
        Map<String, String> labels) {
    public Match {
        labels = Map.copyOf(new TreeMap<>(labels));
        Check.require(host == null || !host.isEmpty(), "host", "must not be empty; leave it out to match any host");
        Check.require(app == null || !app.isEmpty(), "app", "must not be empty; leave it out to match any app");
    }

    public static Match defaults() {
        return new Match(null, null, null, null, Map.of());
    }

    /** Matches everything. */
    public static Match any() {
        return defaults();
    }

    boolean matchesPolicy(Incident i) {
        return (severity == null || i.severity().atLeast(severity)) && matchesRest(i);
    }

    boolean matchesSilence(Incident i) {
        return (severity == null || i.severity() == severity) && matchesRest(i);
    }

    private boolean matchesRest(Incident i) {
        if (host != null && !Glob.matches(host, i.host())) {
            return false;
        }
        if (app != null && (i.app() == null || !Glob.matches(app, i.app()))) {
            return false;
        }
        if (kind != null && !kind.equals(i.kind())) {
            return false;
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!e.getValue().equals(i.labels().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
