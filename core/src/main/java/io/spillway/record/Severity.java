package io.spillway.record;

import org.jspecify.annotations.Nullable;

/**
 * Syslog severity scale (RFC 5424 §6.2.1), plus {@link #UNKNOWN} for inputs that carry none.
 * Lower codes are more severe.
 */
public enum Severity {
    EMERGENCY(0, "emerg"),
    ALERT(1, "alert"),
    CRITICAL(2, "crit"),
    ERROR(3, "err"),
    WARNING(4, "warning"),
    NOTICE(5, "notice"),
    INFO(6, "info"),
    DEBUG(7, "debug"),
    UNKNOWN(-1, "unknown");

    private static final Severity[] BY_CODE = {EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFO, DEBUG};

    private final int code;
    private final String label;

    Severity(int code, String label) {
        this.code = code;
        this.label = label;
    }

    /** The numeric syslog code, or -1 for {@link #UNKNOWN}. */
    public int code() {
        return code;
    }

    /** The short syslog keyword (`err`, `warning`, …), as shown to users. */
    public String label() {
        return label;
    }

    /** The severity for a syslog code 0–7; anything else is {@link #UNKNOWN}. */
    public static Severity ofCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    }

    /** True when this severity is at least as severe as {@code other} (UNKNOWN is never). */
    public boolean atLeast(Severity other) {
        return this != UNKNOWN && other != UNKNOWN && code <= other.code;
    }

    /** Parses a label such as {@code err}, {@code error} or {@code 3}; null when unrecognised. */
    public static @Nullable Severity parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        for (Severity s : values()) {
            if (s.label.equals(t) || s.name().toLowerCase(java.util.Locale.ROOT).equals(t)) {
                return s;
            }
        }
        return switch (t) {
            case "fatal", "panic" -> EMERGENCY;
            case "warn" -> WARNING;
            case "information" -> INFO;
            case "trace" -> DEBUG;
            default -> {
                if (t.length() == 1 && Character.isDigit(t.charAt(0))) {
                    yield ofCode(t.charAt(0) - '0');
                }
                yield null;
            }
        };
    }
}
