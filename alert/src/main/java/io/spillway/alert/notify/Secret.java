package io.spillway.alert.notify;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A config value that must not be shown: an HMAC key, a routing key, a password, a header value.
 * {@link #toString()} is {@code ***}, so logs, exception messages and the effective-config view
 * ({@code spillway config check --print}, which renders values with {@code toString}) never leak it;
 * only {@link #reveal()} gives the value, at the one place that sends it. Immutable.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /** Config binding entry point: any string is a secret. */
    public static Secret parse(String value) {
        return new Secret(value);
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The value itself; call only where it is sent. */
    public String reveal() {
        return value;
    }

    public int length() {
        return value.length();
    }

    public boolean isBlank() {
        return value.isBlank();
    }

    /** Reveals every value of a map of secrets (e.g. headers), keeping the order. */
    static Map<String, String> reveal(Map<String, Secret> secrets) {
        Map<String, String> out = new LinkedHashMap<>();
        secrets.forEach((k, v) -> out.put(k, v.reveal()));
        return out;
    }

    @Override
    public boolean equals(Object o) {
        // Constant time, as for any comparison of secrets.
        return o instanceof Secret s
                && MessageDigest.isEqual(
                        value.getBytes(StandardCharsets.UTF_8), s.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "***";
    }
}
