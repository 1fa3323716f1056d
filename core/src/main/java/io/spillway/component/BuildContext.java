package io.spillway.component;

import io.spillway.admission.Drops;
import io.spillway.event.EventBus;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.InflightMemory;
import io.spillway.pipeline.InputMetrics;
import io.spillway.space.SpaceWriter;
import java.nio.file.Path;
import java.time.InstantSource;

/**
 * What the node gives a component to build itself with: the same services for every component and
 * every role, so a component never reaches into the node. Implementations are the node's; a build
 * may call any method, from the building thread only.
 */
public interface BuildContext {
    /** The node's data directory (absolute); a component's files go in a directory of its own below it. */
    Path dataDir();

    /** This node's host name, for records and markers the component writes itself. */
    String host();

    /** The process's metrics registry. */
    Metrics metrics();

    /** The counters of the input {@code input}, watched by the pipeline watch for error storms. */
    InputMetrics inputMetrics(String input);

    /** The wall clock. */
    InstantSource clock();

    /** The process-wide budget of bytes inputs hold in flight ({@code limits.inflight_memory}). */
    InflightMemory inflight();

    /** Where records a component loses are counted per app and reason, with a marker (G3). */
    Drops drops();

    /** Where components publish {@code _spillway} events. */
    EventBus events();

    /**
     * The space writer of the disk use of {@code kind} the component's spec declared ({@link
     * ComponentSpec#diskUses}), registered with the node's space accountant (G4).
     *
     * @throws IllegalArgumentException when the spec declared no disk use of that kind
     */
    SpaceWriter space(String kind);

    /**
     * Makes {@code value} available to the rest of the node under {@code type} (the store offers its
     * reader to the API this way); at most one value per type.
     */
    <T> void provide(Class<T> type, T value);
}
