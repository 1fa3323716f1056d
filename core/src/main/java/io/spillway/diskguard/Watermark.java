package io.spillway.diskguard;

import io.spillway.config.DataSize;

/**
 * A disk watermark, written either as a share of the filesystem in use ({@code 90%}) or as free space
 * below which it is crossed ({@code 5GiB}, read "less than 5 GiB free").
 *
 * @param usedPercent crossed when at least this percentage is used; 0 when the watermark is a size
 * @param freeBytes crossed when less than this is free; 0 when the watermark is a percentage
 */
public record Watermark(double usedPercent, long freeBytes) {
    public static final String EXPECTED = "a percentage in use like 90% or a free size like 5GiB";

    public Watermark {
        if (usedPercent < 0 || usedPercent > 100 || freeBytes < 0 || (usedPercent > 0) == (freeBytes > 0)) {
            throw new IllegalArgumentException("expected " + EXPECTED);
        }
    }

    public static Watermark percent(double usedPercent) {
        return new Watermark(usedPercent, 0);
    }

    public static Watermark free(long bytes) {
        return new Watermark(0, bytes);
    }

    /** Parses {@code 90%}, {@code 99.5%} or a free size such as {@code 5GiB}. */
    public static Watermark parse(String text) {
        String t = text.trim();
        try {
            if (t.endsWith("%")) {
                return percent(Double.parseDouble(t.substring(0, t.length() - 1).trim()));
            }
            return free(DataSize.parse(t).bytes());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected " + EXPECTED + ", got \"" + text + "\"");
        }
    }

    /** Whether a filesystem of {@code totalBytes} with {@code freeBytes} free is past this watermark. */
    public boolean crossed(long totalBytes, long free) {
        if (usedPercent > 0) {
            return totalBytes > 0 && usedPercentOf(totalBytes, free) >= usedPercent;
        }
        return free < freeBytes;
    }

    /**
     * Whether the filesystem is clearly back below this watermark: {@code margin} percentage points
     * below it (or {@code margin}% of the total more free), so a level does not flap on the line.
     */
    public boolean clearedWithMargin(long totalBytes, long free, double margin) {
        if (usedPercent > 0) {
            return usedPercentOf(totalBytes, free) < usedPercent - margin;
        }
        return free >= freeBytes + (long) (totalBytes * margin / 100.0);
    }

    static double usedPercentOf(long totalBytes, long free) {
        if (totalBytes <= 0) {
            return 0;
        }
        return 100.0 * (totalBytes - Math.max(0, free)) / totalBytes;
    }

    /** The config form, which {@link #parse} reads back: {@code 90%} or {@code 5GiB}. */
    @Override
    public String toString() {
        return usedPercent > 0 ? trim(usedPercent) + "%" : new DataSize(freeBytes).toString();
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
