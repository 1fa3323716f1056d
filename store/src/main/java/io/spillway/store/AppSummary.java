package io.spillway.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One app's figures in the store.
 *
 * @param app the app name
 * @param records records stored
 * @param bytesStored bytes on disk (compressed) for this app
 * @param bytesRaw uncompressed message bytes stored
 * @param oldest time of the oldest stored record, or null if none is left
 * @param newest time of the newest stored record, or null if none is left
 * @param recordsPerSecond ingest rate over about the last minute
 * @param evictedBytes bytes removed by retention since start
 */
public record AppSummary(
        String app,
        long records,
        long bytesStored,
        long bytesRaw,
        @Nullable Instant oldest,
        @Nullable Instant newest,
        double recordsPerSecond,
        long evictedBytes) {}
