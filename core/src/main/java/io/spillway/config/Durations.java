package io.spillway.config;

import java.time.Duration;
import java.util.Locale;

/**
 * Parses and prints durations as written in config: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h},
 * {@code 7d}, or sums such as {@code 1h30m}. A bare number is refused, because a reader cannot tell
 * whether it means seconds or milliseconds.
 */
public final class Durations {
    public static final String EXPECTED = "a duration like 10s, 5m or 250ms";

    private Durations() {}

    public static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            throw bad(text);
        }
        Duration total = Duration.ZERO;
        int i = 0;
        while (i < t.length()) {
            int start = i;
            while (i < t.length() && Character.isDigit(t.charAt(i))) {
                i++;
            }
            if (i == start || i - start > 12) {
                throw bad(text);
            }
            long n = Long.parseLong(t.substring(start, i));
            int unitStart = i;
            while (i < t.length() && Character.isLetter(t.charAt(i))) {
                i++;
            }
            String unit = t.substring(unitStart, i);
            Duration part = switch (unit) {
                case "ns" -> Duration.ofNanos(n);
                case "us" -> Duration.ofNanos(n * 1000);
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> throw bad(text);
            };
            total = total.plus(part);
        }
        return total;
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\"");
    }

    /** The shortest form that {@link #parse} reads back to the same duration. */
    public static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        long[] sizes = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L, 1L
        };
        String[] units = {"d", "h", "m", "s", "ms", "us", "ns"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sizes.length; i++) {
            if (nanos >= sizes[i]) {
                sb.append(nanos / sizes[i]).append(units[i]);
                nanos %= sizes[i];
            }
        }
        return sb.toString();
    }
}
