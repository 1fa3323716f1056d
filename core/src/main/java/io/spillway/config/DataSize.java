package io.spillway.config;

import java.util.Locale;

/**
 * A size in bytes, written in config as {@code 64KiB}, {@code 1.5GiB}, {@code 10MB} or a plain byte
 * count. Binary units (KiB, MiB, GiB, TiB, and the shorthands K, M, G, T) are powers of 1024; decimal
 * units (KB, MB, GB, TB) are powers of 1000.
 */
public record DataSize(long bytes) implements Comparable<DataSize> {
    public static final String EXPECTED = "a size like 64KiB, 10MB or 1GiB";

    public DataSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("a size cannot be negative: " + bytes);
        }
    }

    public static DataSize ofBytes(long bytes) {
        return new DataSize(bytes);
    }

    public static DataSize ofKiB(long kib) {
        return new DataSize(Math.multiplyExact(kib, 1024L));
    }

    public static DataSize ofMiB(long mib) {
        return new DataSize(Math.multiplyExact(mib, 1024L * 1024));
    }

    public static DataSize ofGiB(long gib) {
        return new DataSize(Math.multiplyExact(gib, 1024L * 1024 * 1024));
    }

    /**
     * Parses a size; throws {@link IllegalArgumentException} saying what was expected.
     */
    public static DataSize parse(String text) {
        String t = text.trim();
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\"");
        }
        java.math.BigDecimal number;
        try {
            number = new java.math.BigDecimal(t.substring(0, i));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\"");
        }
        String unit = t.substring(i).trim();
        long multiplier = switch (unit.toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1L;
            case "k", "kib" -> 1L << 10;
            case "m", "mib" -> 1L << 20;
            case "g", "gib" -> 1L << 30;
            case "t", "tib" -> 1L << 40;
            case "kb" -> 1_000L;
            case "mb" -> 1_000_000L;
            case "gb" -> 1_000_000_000L;
            case "tb" -> 1_000_000_000_000L;
            default ->
                throw new IllegalArgumentException(
                        "expected " + EXPECTED + ", got \"" + text + "\" (unknown unit \"" + unit + "\")");
        };
        // BigDecimal, not double: sizes near Long.MAX_VALUE must parse back exactly.
        java.math.BigDecimal bytes = number.multiply(java.math.BigDecimal.valueOf(multiplier));
        if (bytes.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("size \"" + text + "\" is too large");
        }
        if (unit.isEmpty() && bytes.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("expected a whole number of bytes, got \"" + text + "\"");
        }
        return new DataSize(bytes.longValue());
    }

    /** Saturating int view, for APIs that take int sizes. */
    public int toIntBytes() {
        return (int) Math.min(bytes, Integer.MAX_VALUE);
    }

    @Override
    public int compareTo(DataSize o) {
        return Long.compare(bytes, o.bytes);
    }

    /** The shortest exact binary form, so that {@code parse(toString())} gives the same size. */
    @Override
    public String toString() {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        long v = bytes;
        int u = 0;
        while (u < units.length - 1 && v != 0 && v % 1024 == 0) {
            v /= 1024;
            u++;
        }
        return v + units[u];
    }

    /** A human-friendly approximate form, e.g. {@code 127.4 MB}, for messages. */
    public static String human(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
