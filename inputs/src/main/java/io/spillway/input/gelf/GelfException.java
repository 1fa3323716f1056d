package io.spillway.input.gelf;

import io.spillway.input.netty.DecodeError;

/**
 * A GELF message or chunk that is refused; {@link #kind()} is the error kind counted in {@code
 * InputMetrics.error} ({@code parse_error}, {@code too_large}, {@code decompress_error}, ...).
 */
public final class GelfException extends Exception {
    private final DecodeError error;

    GelfException(DecodeError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    /** What went wrong, and whether it costs the connection. */
    public DecodeError error() {
        return error;
    }

    /** The error kind, a metric label value from a fixed set. */
    public String kind() {
        return error.label();
    }
}
