package io.spillway.space;

import io.spillway.config.DataSize;

/**
 * The free space a filesystem keeps no matter what Spillway's own caps allow (G4). Written in config
 * as an absolute size ({@code 2GiB}), a share of the filesystem ({@code 5%}), or both, whichever is
 * smaller on the filesystem at hand: {@code min(5%, 256MiB)} is 3.2 MiB on a 64 MiB disk and 256 MiB
 * on a 1 TiB one, so the same default neither eats a small disk nor leaves too little on a big one.
 * {@code 0} turns the floor off.
 *
 * @param bytes the absolute floor in bytes; 0 when the floor is only a percentage
 * @param percent the floor as a percentage of the filesystem's total size, in [0, 100); 0 when only
 *     absolute
 */
public record SpaceFloor(long bytes, double percent) {
    public static final String EXPECTED = "a size like 2GiB, a percentage like 5%, or min(5%, 256MiB)";

    /** The default floor of every writer: 5% of the filesystem or 256 MiB, whichever is smaller. */
    public static final SpaceFloor DEFAULT = new SpaceFloor(256L << 20, 5);

    public SpaceFloor {
        if (bytes < 0) {
            throw new IllegalArgumentException("a floor cannot be negative: " + bytes);
        }
        if (!(percent >= 0 && percent < 100)) {
            throw new IllegalArgumentException("a floor percentage must be in [0, 100), got " + percent);
        }
    }

    public static SpaceFloor ofBytes(long bytes) {
        return new SpaceFloor(bytes, 0);
    }

    public static SpaceFloor ofPercent(double percent) {
        return new SpaceFloor(0, percent);
    }

    /** The smaller of {@code percent} of the filesystem and {@code bytes}. */
    public static SpaceFloor smallerOf(double percent, long bytes) {
        if (percent <= 0 || bytes <= 0) {
            // min(0%, x) and min(x, 0) are both no floor at all
            return ofBytes(0);
        }
        return new SpaceFloor(bytes, percent);
    }

    /** True when both forms are given (the floor is whichever is smaller). */
    public boolean isSmallerOf() {
        return bytes > 0 && percent > 0;
    }

    /** True when there is no floor ({@code 0}). */
    public boolean isOff() {
        return bytes == 0 && percent == 0;
    }

    /** Parses {@code 5%}, {@code 0.5%}, {@code 2GiB}, a plain byte count, or {@code min(5%, 256MiB)}. */
    public static SpaceFloor parse(String text) {
        String t = text.trim();
        if (t.startsWith("min(") && t.endsWith(")")) {
            String[] parts = t.substring(4, t.length() - 1).split(",", -1);
            if (parts.length != 2) {
                throw new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\"");
            }
            SpaceFloor a = parseSingle(parts[0], text);
            SpaceFloor b = parseSingle(parts[1], text);
            if ((a.percent > 0) == (b.percent > 0) && !(a.isOff() || b.isOff())) {
                throw new IllegalArgumentException(
                        "min(...) takes one percentage and one size, like min(5%, 256MiB), got \"" + text + "\"");
            }
            return smallerOf(Math.max(a.percent, b.percent), Math.max(a.bytes, b.bytes));
        }
        return parseSingle(t, text);
    }

    private static SpaceFloor parseSingle(String part, String text) {
        String t = part.trim();
        if (t.endsWith("%")) {
            double p;
            try {
                p = Double.parseDouble(t.substring(0, t.length() - 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\"");
            }
            if (!(p >= 0 && p < 100)) {
                throw new IllegalArgumentException("a floor percentage must be in [0, 100), got \"" + text + "\"");
            }
            return ofPercent(p);
        }
        try {
            return ofBytes(DataSize.parse(t).bytes());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\"");
        }
    }

    /** The floor in bytes on a filesystem of {@code totalBytes}. */
    public long bytesFor(long totalBytes) {
        long ofPercent = percent > 0 ? (long) Math.ceil(totalBytes * (percent / 100.0)) : 0;
        if (percent > 0 && bytes > 0) {
            return Math.min(ofPercent, bytes);
        }
        return percent > 0 ? ofPercent : bytes;
    }

    @Override
    public String toString() {
        String p = (percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent)) + "%";
        if (isSmallerOf()) {
            return "min(" + p + ", " + DataSize.ofBytes(bytes) + ")";
        }
        return percent > 0 ? p : DataSize.ofBytes(bytes).toString();
    }
}
