package io.spillway.pipeline;

/**
 * The drop ledger's intake (G3): every record that will not be delivered is reported here, once,
 * by whoever decided to drop it, with the app and a reason from a small fixed vocabulary
 * ({@code rate_limit}, {@code shed}, {@code floor}, {@code too_large}, {@code output_failed},
 * {@code buffer_full}, …). Thread-safe.
 */
@FunctionalInterface
public interface Drops {
    void dropped(String app, String reason, long records, long bytes);
}
