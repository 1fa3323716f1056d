package io.spillway.buffer;

import java.util.Arrays;

/**
 * Max-min fair shares by water-filling (DESIGN.md §7, G2).
 *
 * <p>Given a capacity {@code C} and the holdings {@code h_i} of the active apps, the fair share
 * {@code s} is the largest value with {@code Σ min(h_i, s) ≤ C}: apps holding less than {@code s}
 * keep everything, and the rest of the capacity is split evenly among the others. When everything
 * fits ({@code Σ h_i ≤ C}) the share is {@code C} itself, so every app is within it. All arithmetic is
 * on whole bytes and saturates instead of overflowing. Stateless and thread-safe.
 */
final class WaterFilling {
    private WaterFilling() {}

    /**
     * The fair share of {@code capacity} among the first {@code n} entries of {@code holdings} (which
     * must be non-negative): in {@code [0, capacity]}. Sorts a copy; O(n log n).
     */
    static long share(long capacity, long[] holdings, int n) {
        if (capacity <= 0) {
            return 0;
        }
        long[] h = Arrays.copyOf(holdings, n);
        Arrays.sort(h);
        long remaining = capacity;
        for (int i = 0; i < n; i++) {
            long k = n - i;
            // The k largest holdings would each get remaining / k: if the smallest of them holds more,
            // the water level stops here. h * k > remaining, without overflow.
            if (h[i] > remaining / k) {
                return remaining / k;
            }
            remaining -= h[i];
        }
        return capacity;
    }

    /**
     * True when an app holding {@code h} is above its fair share, i.e. {@code Σ min(h_i, h) > C}.
     * O(n), no allocation: the buffer asks this on every offer to a full budget.
     */
    static boolean above(long capacity, long[] holdings, int n, long h) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.min(holdings[i], h);
            if (sum > capacity || sum < 0) {
                return true;
            }
        }
        return false;
    }
}
