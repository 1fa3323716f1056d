package io.spillway.buffer;

import io.spillway.config.DataSize;

/**
 * The free space a filesystem keeps no matter what Spillway's own caps allow (G4): either an absolute
 * size ({@code 2GiB}) or a share of the filesystem ({@code 5%}). Written in config as either form.
 *
 * @param bytes the absolute floor in bytes; 0 when the floor is a percentage
 * @param percent the floor as a percentage of the filesystem's total size, in [0, 100); 0 when absolute
 */
public record SpaceFloor(long bytes, double percent) {
    public static final String EXPECTED = "a size like 2GiB or a percentage like 5%";

    public SpaceFloor {
        if (bytes < 0) {
            throw new IllegalArgumentException("a floor cannot be negative: " + bytes);
        }
        if (!(percent >= 0 && percent < 100)) {
            throw new IllegalArgumentException("a floor percentage must be in [0, 100), got " + percent);
        }
        if (bytes > 0 && percent > 0) {
            throw new IllegalArgumentException("a floor is either a size or a percentage, not both");
        }
    }

    public static SpaceFloor ofBytes(long bytes) {
        return new SpaceFloor(bytes, 0);
    }

    public static SpaceFloor ofPercent(double percent) {
        return new SpaceFloor(0, percent);
    }

    /** Parses {@code 5%}, {@code 0.5%}, {@code 2GiB} or a plain byte count. */
    public static SpaceFloor parse(String text) {
        String t = text.trim();
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
        return percent > 0 ? (long) Math.ceil(totalBytes * (percent / 100.0)) : bytes;
    }

    @Override
    public String toString() {
        if (percent > 0) {
            return (percent == Math.rint(percent) ? Long.toString((long) percent) : Double.toString(percent)) + "%";
        }
        return DataSize.ofBytes(bytes).toString();
    }
}
