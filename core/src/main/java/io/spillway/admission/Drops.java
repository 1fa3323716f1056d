package io.spillway.admission;

/**
 * The drop ledger's intake (G3): every record that will not be delivered is reported here, once,
 * by whoever decided to drop it, with the app and a reason from a small fixed vocabulary
 * ({@code rate_limit}, {@code shed}, {@code floor}, {@code too_large}, {@code output_failed},
 * {@code buffer_full}, {@code corrupt}, …). Thread-safe.
 */
@FunctionalInterface
public interface Drops {
    void dropped(String app, String reason, long records, long bytes);

    /**
     * Like {@link #dropped}, for a loss whose marker the reporter already wrote into the app's own
     * stream, with more to say than a drop marker (the store's corruption markers name the damaged
     * file and where it went): counted the same way, but leaves no second marker.
     */
    default void droppedMarked(String app, String reason, long records, long bytes) {
        dropped(app, reason, records, bytes);
    }
}
