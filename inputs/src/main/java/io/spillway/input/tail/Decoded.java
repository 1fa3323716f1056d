package io.spillway.input.tail;

import org.jspecify.annotations.Nullable;

/**
 * What one file line decoded to: a complete {@link TailLine}, nothing yet (a partial entry was kept
 * for joining), or a parse error with its reason (the line is skipped; the caller counts it).
 *
 * @param line the completed line, or null
 * @param error why the file line could not be parsed, or null
 */
public record Decoded(@Nullable TailLine line, @Nullable String error) {
    /** A partial entry was kept; the line completes with a later entry. */
    public static final Decoded PENDING = new Decoded(null, null);

    static Decoded of(@Nullable TailLine line) {
        return line == null ? PENDING : new Decoded(line, null);
    }

    static Decoded error(String reason) {
        return new Decoded(null, reason);
    }

    public boolean isError() {
        return error != null;
    }
}
