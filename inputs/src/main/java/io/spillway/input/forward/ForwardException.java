package io.spillway.input.forward;

/**
 * A frame or entry that cannot be accepted. {@link #kind()} is the {@code kind} label of the {@code
 * spillway_input_errors} counter; the message states the observed value, the limit and its key.
 */
public final class ForwardException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String kind;

    public ForwardException(String kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    /** The counter kind: {@code too_large}, {@code malformed}, {@code too_deep}, {@code decompress_error}, … */
    public String kind() {
        return kind;
    }
}
