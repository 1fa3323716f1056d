package io.spillway.config;

/** Validation helpers for config records' compact constructors; each names the key it checks. */
public final class Check {
    private Check() {}

    public static void require(boolean ok, String key, String message) {
        if (!ok) {
            throw new InvalidValueException(key, message);
        }
    }

    public static void atLeast(long value, long min, String key) {
        require(value >= min, key, "must be at least " + min + ", got " + value);
    }

    public static void between(long value, long min, long max, String key) {
        require(value >= min && value <= max, key, "must be between " + min + " and " + max + ", got " + value);
    }

    public static void atLeast(DataSize value, DataSize min, String key) {
        require(value.compareTo(min) >= 0, key, "must be at least " + min + ", got " + value);
    }

    public static void positive(java.time.Duration value, String key) {
        require(!value.isNegative() && !value.isZero(), key, "must be longer than 0s, got " + Durations.format(value));
    }
}
