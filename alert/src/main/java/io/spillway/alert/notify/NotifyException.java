package io.spillway.alert.notify;

/** A failed delivery attempt; the message names the target and the cause. */
public final class NotifyException extends Exception {
    private final boolean retryable;

    public NotifyException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public NotifyException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    /** False when retrying cannot help (e.g. 4xx other than 408/429, bad address). */
    public boolean retryable() {
        return retryable;
    }
}
