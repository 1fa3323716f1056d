package io.spillway.store;

import java.time.Duration;
import java.util.List;

/**
 * A live follow of one app (see {@link LogReader#follow}). One consumer thread polls it. Bounded:
 * when the consumer falls behind, the oldest pending records are discarded and counted in {@link
 * #missed()}.
 */
public interface Tail extends AutoCloseable {
    /**
     * Waits up to {@code wait} for new records and returns at most {@code max} of them, oldest first;
     * an empty list on timeout.
     */
    List<StoredRecord> poll(Duration wait, int max) throws InterruptedException;

    /**
     * Whether this tail was closed, by its consumer or because the store closed (node shutdown); a
     * closed tail's {@link #poll} waits and returns nothing, so a consumer loop should end on this.
     */
    default boolean isClosed() {
        return false;
    }

    /** Records discarded so far because this tail's consumer fell behind. */
    long missed();

    /** Stops following; idempotent. */
    @Override
    void close();
}
