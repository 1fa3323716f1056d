package io.spillway.space;

import org.jspecify.annotations.Nullable;

/**
 * One write's claim on a filesystem ({@link SpaceWriter#reserve}): either granted, then the caller
 * writes and reports how much it wrote ({@link #written}) or that it wrote nothing ({@link
 * #cancel}); or refused, with a message naming the figures and the floor's config key, and nothing
 * may be written. An admission result, not an exception: the caller decides what a refusal means.
 *
 * <p>Not thread-safe: one writer uses it for one write. Settling twice is a no-op; {@link #close}
 * settles a claim not settled yet as written in full (for writes whose exact size is not known, such
 * as a SQLite transaction), which errs on the side of the floor until the next measurement.
 */
public final class Reservation implements AutoCloseable {
    private final @Nullable Filesystem fs;
    private final long charged;
    private final @Nullable String refusal;
    private boolean settled;

    Reservation(@Nullable Filesystem fs, long charged, @Nullable String refusal) {
        this.fs = fs;
        this.charged = charged;
        this.refusal = refusal;
        this.settled = refusal != null;
    }

    public boolean granted() {
        return refusal == null;
    }

    /** Why it was refused: the bytes, the free space, the floor and its key; empty when granted. */
    public String refusal() {
        return refusal == null ? "" : refusal;
    }

    /** Bytes claimed, whole blocks included; 0 when refused. */
    public long charged() {
        return refusal == null ? charged : 0;
    }

    /**
     * The write happened and took {@code actualBytes} (its length; blocks are added as on reserving):
     * they count against the filesystem's free space until the next measurement sees them.
     */
    public void written(long actualBytes) {
        Filesystem f = fs;
        if (settled || f == null) {
            settled = true;
            return;
        }
        settled = true;
        f.settle(charged, f.charge(actualBytes));
    }

    /** Nothing was written (the write failed before writing, or was not needed): the claim is returned. */
    public void cancel() {
        Filesystem f = fs;
        if (settled || f == null) {
            settled = true;
            return;
        }
        settled = true;
        f.settle(charged, 0);
    }

    /** Settles as written in full, unless already settled. */
    @Override
    public void close() {
        Filesystem f = fs;
        if (settled || f == null) {
            settled = true;
            return;
        }
        settled = true;
        f.settle(charged, charged);
    }
}
