package io.spillway.input.gelf;

/**
 * A GELF message or chunk that is refused; {@link #kind()} is the error kind counted in {@code
 * InputMetrics.error} ({@code parse_error}, {@code too_large}, {@code decompress_error}, ...).
 */
public final class GelfException extends Exception {
    private final String kind;

    GelfException(String kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    /** The error kind, a metric label value from a fixed set. */
    public String kind() {
        return kind;
    }
}
