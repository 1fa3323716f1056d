package io.spillway.buffer;

import io.spillway.config.Check;
import io.spillway.config.DataSize;
import io.spillway.config.RenamedFrom;
import io.spillway.space.SpaceFloor;
import java.time.Duration;

/**
 * Configuration of the fair buffer of one output (DESIGN.md §7); see {@code docs/buffer.md}.
 *
 * @param memory records held in memory, in {@link io.spillway.record.LogRecord#sizeBytes()} bytes.
 *     Default {@code 64MiB}; at least {@code 4KiB}. A record larger than this is refused as {@code
 *     too_large}.
 * @param disk bytes of spill segment files on disk for this output. Default {@code 1GiB}; {@code 0}
 *     keeps records in memory only (nothing survives a restart). Otherwise at least 4 × {@code
 *     segment_size}.
 * @param minFreeSpace free space the spill filesystem keeps whatever {@code disk} allows (G4): a size like
 *     {@code 2GiB}, a percentage of the filesystem like {@code 5%}, or the smaller of both, {@code
 *     min(5%, 256MiB)}. Default {@code min(5%, 256MiB)}. Every spill write reserves its bytes with the
 *     node's space accountant first, so no write crosses it; a floor as large as the filesystem is a
 *     start-up error. Formerly spelled {@code floor}, which still works with a deprecation warning.
 * @param shed which records of the heaviest app are dropped when the buffer is full: {@code newest}
 *     (the incoming ones; default) or {@code oldest}.
 * @param quantum bytes each app may dequeue per deficit-round-robin turn. Default {@code 64KiB}; at
 *     least {@code 64B}.
 * @param fsync when spilled records are forced to disk: {@code always} (before the offer returns),
 *     {@code interval} (every {@code fsync_interval}; default) or {@code never}.
 * @param fsyncInterval the period of {@code fsync: interval}. Default {@code 1s}.
 * @param segmentSize size at which a spill segment file is closed and a new one begun. Default
 *     {@code 16MiB}; at least {@code 4KiB}.
 * @param maxApps apps with their own queue; records of further apps share the queue {@code _other}
 *     until an app's queue empties. Default {@code 10000}; between 1 and 1000000.
 */
public record FairBufferConfig(
        DataSize memory,
        DataSize disk,
        @RenamedFrom("floor") SpaceFloor minFreeSpace,
        Shed shed,
        DataSize quantum,
        Fsync fsync,
        Duration fsyncInterval,
        DataSize segmentSize,
        int maxApps) {

    /** The key of {@link #minFreeSpace()} in the node's config file, named in messages about the floor. */
    public static final String MIN_FREE_SPACE_KEY = "buffer.min_free_space";

    /** Which end of the heaviest app's queue is shed. */
    public enum Shed {
        NEWEST,
        OLDEST
    }

    /** When spilled records are forced to stable storage. */
    public enum Fsync {
        ALWAYS,
        INTERVAL,
        NEVER
    }

    public FairBufferConfig {
        Check.atLeast(memory, DataSize.ofKiB(4), "memory");
        Check.atLeast(quantum, DataSize.ofBytes(64), "quantum");
        Check.atLeast(segmentSize, DataSize.ofKiB(4), "segment_size");
        Check.require(
                disk.bytes() == 0 || disk.bytes() / 4 >= segmentSize.bytes(),
                "disk",
                "must be 0 (memory only) or at least 4 × segment_size (" + segmentSize + "), got " + disk);
        Check.positive(fsyncInterval, "fsync_interval");
        Check.between(maxApps, 1, 1_000_000, "max_apps");
    }

    /**
     * The floor under its former name.
     *
     * @deprecated the key is {@code min_free_space} now; use {@link #minFreeSpace()}
     */
    @Deprecated
    public SpaceFloor floor() {
        return minFreeSpace;
    }

    public static FairBufferConfig defaults() {
        return new FairBufferConfig(
                DataSize.ofMiB(64),
                DataSize.ofGiB(1),
                SpaceFloor.DEFAULT,
                Shed.NEWEST,
                DataSize.ofKiB(64),
                Fsync.INTERVAL,
                Duration.ofSeconds(1),
                DataSize.ofMiB(16),
                10_000);
    }

    /** A memory-only buffer of {@code memory} bytes, other keys at their defaults (for tests and tools). */
    public static FairBufferConfig memoryOnly(DataSize memory) {
        FairBufferConfig d = defaults();
        return new FairBufferConfig(
                memory,
                DataSize.ofBytes(0),
                d.minFreeSpace,
                d.shed,
                d.quantum,
                d.fsync,
                d.fsyncInterval,
                d.segmentSize,
                d.maxApps);
    }
}
