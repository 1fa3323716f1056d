package io.spillway.config;

/**
 * Thrown by a config record's compact constructor when a field's value is unacceptable. The binder
 * prefixes the record's path, so the user reads {@code outputs.file.max_files: must be at least 1, got 0}.
 */
public final class InvalidValueException extends IllegalArgumentException {
    private final String key;

    public InvalidValueException(String key, String message) {
        super(key + ": " + message);
        this.key = key;
    }

    /** The snake_case key within its record. */
    public String key() {
        return key;
    }

    public String reason() {
        String m = getMessage();
        return m == null ? "" : m.substring(key.length() + 2);
    }
}
