package io.spillway.input.forward;

import io.spillway.input.netty.DecodeError;

/**
 * A frame or entry that cannot be accepted. {@link #kind()} is the {@code kind} label of the {@code
 * spillway_input_errors} counter; the message states the observed value, the limit and its key.
 */
public final class ForwardException extends Exception {
    private static final long serialVersionUID = 1L;

    private final DecodeError error;

    public ForwardException(DecodeError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    /** What went wrong, and whether it costs the connection. */
    public DecodeError error() {
        return error;
    }

    /** The counter kind: {@code too_large}, {@code malformed}, {@code too_deep}, {@code decompress_error}, … */
    public String kind() {
        return error.label();
    }
}
