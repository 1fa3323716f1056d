package io.spillway.pipeline;

import io.spillway.config.Check;
import io.spillway.config.DataSize;

/**
 * Process-wide bounds ({@code limits:} in the config file), shared by every input.
 *
 * @param inflightMemory the most bytes all inputs together hold in flight at once: payloads being
 *     decompressed (forward, GELF), GELF chunks being reassembled and HTTP request bodies being read
 *     (default 256MiB, at least 1MiB). Past it, the item asking for more is refused and counted
 *     ({@code spillway_inflight_memory_refused_total{user}}, and the input's error kind {@code
 *     inflight_memory}); see {@link InflightMemory}
 */
public record LimitsConfig(DataSize inflightMemory) {
    public LimitsConfig {
        Check.atLeast(inflightMemory, DataSize.ofMiB(1), "inflight_memory");
    }

    public static LimitsConfig defaults() {
        return new LimitsConfig(DataSize.ofMiB(256));
    }
}
