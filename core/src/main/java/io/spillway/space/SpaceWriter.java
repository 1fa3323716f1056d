package io.spillway.space;

import io.spillway.config.DataSize;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One kind of file Spillway writes, in one directory, with its floor: the handle through which that
 * writer reserves space ({@link SpaceAccountant#register}). Thread-safe: writers on many threads may
 * share one handle.
 */
public final class SpaceWriter {
    private final @Nullable SpaceAccountant accountant;
    private final @Nullable Filesystem fs;
    final String kind;
    final String name;
    final Path dir;
    final SpaceFloor floor;
    final String floorKey;
    final boolean headroom;

    // Refusal episode state, for the WARN once per episode and the disk_floor event (see SpaceAccountant).
    final AtomicLong refusedWrites = new AtomicLong();
    volatile long lastRefusalMillis;
    volatile @Nullable String lastRefusal;
    volatile boolean episode;

    SpaceWriter(
            @Nullable SpaceAccountant accountant,
            @Nullable Filesystem fs,
            String kind,
            String name,
            Path dir,
            SpaceFloor floor,
            String floorKey,
            boolean headroom) {
        this.accountant = accountant;
        this.fs = fs;
        this.kind = kind;
        this.name = name;
        this.dir = dir;
        this.floor = floor;
        this.floorKey = floorKey;
        this.headroom = headroom;
    }

    /** A writer that is not accounted and never refused (tools, tests of other components). */
    public static SpaceWriter unaccounted(String kind, Path dir) {
        return new SpaceWriter(null, null, kind, kind, dir, SpaceFloor.ofBytes(0), "", false);
    }

    /**
     * Reserves room for a write of {@code bytes} (its length; the accountant adds whole blocks). Granted
     * when the filesystem's free space as last measured, less every outstanding claim and this one,
     * stays at or above this writer's floor. A refusal is counted and logged (once per episode) here.
     */
    public Reservation reserve(long bytes) {
        Filesystem f = fs;
        SpaceAccountant a = accountant;
        if (f == null || a == null) {
            return new Reservation(null, 0, null);
        }
        long charge = f.charge(bytes);
        Filesystem.Figures refused = f.claim(charge, floor, !floor.isOff());
        if (refused == null) {
            return new Reservation(f, charge, null);
        }
        String message = describe(bytes, refused);
        a.refused(this, bytes, refused.floorBytes() < 0 ? SpaceAccountant.REASON_UNMEASURABLE : "floor", message);
        return new Reservation(f, 0, message);
    }

    /** Bytes a write could take now without crossing the floor (measuring first if due); for sizing batches. */
    public long room() {
        Filesystem f = fs;
        if (f == null) {
            return Long.MAX_VALUE;
        }
        return floor.isOff() ? Long.MAX_VALUE : f.room(floor);
    }

    /** This writer's floor in bytes on its filesystem (0 when off or not accounted). */
    public long floorBytes() {
        Filesystem f = fs;
        return f == null || floor.isOff() ? 0 : floor.bytesFor(Math.max(0, f.total()));
    }

    @Nullable
    Filesystem fsOf() {
        return fs;
    }

    public SpaceFloor floor() {
        return floor;
    }

    /** The config key of this writer's floor, for messages. */
    public String floorKey() {
        return floorKey;
    }

    public String kind() {
        return kind;
    }

    public Path dir() {
        return dir;
    }

    /** Writes refused so far (floor or unmeasurable). */
    public long refusedWrites() {
        return refusedWrites.get();
    }

    private String describe(long bytes, Filesystem.Figures fig) {
        String who = kind.equals(name) ? kind : kind + " " + name;
        if (fig.floorBytes() < 0) {
            return who + ": not writing " + DataSize.human(bytes) + " to " + dir
                    + ": the free space of its filesystem cannot be measured (" + fig.error() + ")";
        }
        long available = fig.measured() - fig.claimed();
        return who + ": not writing " + DataSize.human(bytes) + " to " + dir + ": " + DataSize.human(fig.measured())
                + " free when measured " + fig.ageMillis() + " ms ago, less " + DataSize.human(fig.claimed())
                + " claimed since, leaves " + DataSize.human(Math.max(0, available))
                + ", and the write would take it below " + floorKey + " " + floor + " = "
                + DataSize.human(fig.floorBytes()) + " of " + DataSize.human(fig.total());
    }

    @Override
    public String toString() {
        return kind + (kind.equals(name) ? "" : " " + name) + " (" + dir + ", floor " + floorKey + " " + floor + ")";
    }
}
