package io.spillway.server.dashboard;

import io.spillway.alert.Incident;
import io.spillway.alert.IncidentEngine;
import io.spillway.alert.IncidentFilter;
import java.util.List;
import java.util.Optional;

/**
 * What the dashboard needs of the incident engine: list, read, acknowledge, resolve. An interface so
 * the dashboard works on a node whose incident engine is off (the dashboard's supplier then answers
 * null and the page says so). Implementations must be thread-safe.
 */
public interface IncidentView {
    List<Incident> list(IncidentFilter filter);

    Optional<Incident> get(long id);

    /** Acknowledges on behalf of {@code who}; idempotent. */
    Optional<Incident> acknowledge(long id, String who);

    /** Resolves on behalf of {@code who}; idempotent. */
    Optional<Incident> resolve(long id, String who);

    /** The engine itself; acknowledgements are recorded as made via the dashboard. */
    static IncidentView of(IncidentEngine engine) {
        return new IncidentView() {
            @Override
            public List<Incident> list(IncidentFilter filter) {
                return engine.list(filter);
            }

            @Override
            public Optional<Incident> get(long id) {
                return engine.get(id);
            }

            @Override
            public Optional<Incident> acknowledge(long id, String who) {
                return engine.acknowledge(id, who, "dashboard");
            }

            @Override
            public Optional<Incident> resolve(long id, String who) {
                return engine.resolve(id, who);
            }
        };
    }
}
