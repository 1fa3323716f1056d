package io.spillway.node;

import io.spillway.admission.Drops;
import io.spillway.component.BuildContext;
import io.spillway.component.DiskUse;
import io.spillway.config.WrittenKeys;
import io.spillway.event.EventBus;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.InflightMemory;
import io.spillway.pipeline.InputMetrics;
import io.spillway.space.SpaceAccountant;
import io.spillway.space.SpaceWriter;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The node's services as components see them ({@link BuildContext}). One per node; {@link #scoped}
 * gives each component a view with the space writers of the disk uses its spec declared.
 *
 * <p>Invariant: it holds the node's services, never the node, so building a component cannot reach a
 * half-built node. Not thread-safe: components are built on the node's constructing thread.
 */
final class NodeContext {
    private final Path dataDir;
    private final String host;
    private final Metrics metrics;
    private final InstantSource clock;
    private final InflightMemory inflight;
    private final Drops drops;
    private final EventBus events;
    private final SpaceAccountant space;
    private final Function<String, InputMetrics> inputMetrics;
    private final Map<Class<?>, Object> provided = new HashMap<>();
    private final WrittenKeys writtenKeys;

    NodeContext(
            Path dataDir,
            String host,
            Metrics metrics,
            InstantSource clock,
            InflightMemory inflight,
            Drops drops,
            EventBus events,
            SpaceAccountant space,
            Function<String, InputMetrics> inputMetrics) {
        this(dataDir, host, metrics, clock, inflight, drops, events, space, inputMetrics, WrittenKeys.CURRENT);
    }

    /** @param writtenKeys how the config file spelled the floor keys, so refusals name them as written */
    NodeContext(
            Path dataDir,
            String host,
            Metrics metrics,
            InstantSource clock,
            InflightMemory inflight,
            Drops drops,
            EventBus events,
            SpaceAccountant space,
            Function<String, InputMetrics> inputMetrics,
            WrittenKeys writtenKeys) {
        this.writtenKeys = writtenKeys;
        this.dataDir = dataDir;
        this.host = host;
        this.metrics = metrics;
        this.clock = clock;
        this.inflight = inflight;
        this.drops = drops;
        this.events = events;
        this.space = space;
        this.inputMetrics = inputMetrics;
    }

    /** The context of one component, whose spec declared {@code uses}: each is registered here. */
    BuildContext scoped(List<DiskUse> uses) {
        Map<String, SpaceWriter> writers = new HashMap<>();
        for (DiskUse u : uses) {
            writers.put(
                    u.kind(),
                    space.register(u.kind(), u.name(), u.dir(), u.floor(), writtenKeys.of(u.floorKey()), false));
        }
        return new BuildContext() {
            @Override
            public Path dataDir() {
                return dataDir;
            }

            @Override
            public String host() {
                return host;
            }

            @Override
            public Metrics metrics() {
                return metrics;
            }

            @Override
            public InputMetrics inputMetrics(String input) {
                return inputMetrics.apply(input);
            }

            @Override
            public InstantSource clock() {
                return clock;
            }

            @Override
            public InflightMemory inflight() {
                return inflight;
            }

            @Override
            public Drops drops() {
                return drops;
            }

            @Override
            public EventBus events() {
                return events;
            }

            @Override
            public SpaceWriter space(String kind) {
                SpaceWriter w = writers.get(kind);
                if (w == null) {
                    throw new IllegalArgumentException("no disk use of kind " + kind + " was declared");
                }
                return w;
            }

            @Override
            public <T> void provide(Class<T> type, T value) {
                if (provided.putIfAbsent(type, value) != null) {
                    throw new IllegalStateException("two components provide " + type.getSimpleName());
                }
            }
        };
    }

    /** What a component provided under {@code type}, or null. */
    <T> @Nullable T provided(Class<T> type) {
        return type.cast(provided.get(type));
    }
}
