package io.spillway.diskguard;

import java.nio.file.Path;
import java.util.List;

/**
 * One watched filesystem as last measured.
 *
 * @param path the watched directory naming the filesystem
 * @param totalBytes the filesystem's size
 * @param freeBytes bytes still usable
 * @param level the current level (with hysteresis)
 * @param topWriters the fastest-growing container log files on this filesystem, fastest first
 * @param reclaimedBytes bytes removed by {@code reclaim: truncate} on this filesystem since start
 */
public record FilesystemStatus(
        Path path, long totalBytes, long freeBytes, Level level, List<Writer> topWriters, long reclaimedBytes) {
    public FilesystemStatus {
        topWriters = List.copyOf(topWriters);
    }

    /** Percentage of the filesystem in use. */
    public double usedPercent() {
        return Watermark.usedPercentOf(totalBytes, freeBytes);
    }
}
