package io.spillway.config;

import java.util.Map;

/**
 * How an operator spelled the keys of a bound configuration that were written in a former spelling
 * ({@link RenamedFrom}): from the full path of the current key to the full path as written, such as
 * {@code buffer.min_free_space} → {@code buffer.floor}. Messages about a value name its key as the
 * operator wrote it, so the key they are told to change is one they can find in their file.
 * Immutable.
 */
public record WrittenKeys(Map<String, String> formerByCurrent) {
    /** A configuration written in current keys only. */
    public static final WrittenKeys CURRENT = new WrittenKeys(Map.of());

    public WrittenKeys {
        formerByCurrent = Map.copyOf(formerByCurrent);
    }

    /** {@code key} as the operator wrote it: its former spelling if they used that, else itself. */
    public String of(String key) {
        return formerByCurrent.getOrDefault(key, key);
    }
}
