package io.spillway.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class WaterFillingTest {

    private static long[] arr(List<Long> l) {
        return l.stream().mapToLong(Long::longValue).toArray();
    }

    private static long filled(long[] h, long s) {
        long sum = 0;
        for (long x : h) {
            sum += Math.min(x, s);
        }
        return sum;
    }

    @Test
    void share_everythingFits_isCapacity() {
        assertThat(WaterFilling.share(100, new long[] {10, 20, 30}, 3)).isEqualTo(100);
    }

    @Test
    void share_oneHeavyApp_quietAppsKeepAll() {
        // 10 + 20 kept; the heavy app gets the remaining 70.
        assertThat(WaterFilling.share(100, new long[] {10, 20, 1000}, 3)).isEqualTo(70);
    }

    @Test
    void share_equalDemands_splitEvenly() {
        assertThat(WaterFilling.share(90, new long[] {100, 100, 100}, 3)).isEqualTo(30);
    }

    @Test
    void share_noApps_isCapacity() {
        assertThat(WaterFilling.share(90, new long[0], 0)).isEqualTo(90);
    }

    @Test
    void above_heavyApp_isAbove_quietAppIsNot() {
        long[] h = {10, 20, 1000};
        assertThat(WaterFilling.above(100, h, 3, 1000)).isTrue();
        assertThat(WaterFilling.above(100, h, 3, 20)).isFalse();
        assertThat(WaterFilling.above(100, h, 3, 70)).isFalse();
        assertThat(WaterFilling.above(100, h, 3, 71)).isTrue();
    }

    @Property
    void share_fillsAtMostCapacity(
            @ForAll @Size(max = 30) List<@LongRange(max = 1_000_000) Long> holdings,
            @ForAll @LongRange(max = 10_000_000) long capacity) {
        long[] h = arr(holdings);
        long s = WaterFilling.share(capacity, h, h.length);
        assertThat(s).isBetween(0L, Math.max(0, capacity));
        assertThat(filled(h, s)).isLessThanOrEqualTo(capacity);
    }

    @Property
    void share_isTheLargestSuchValue(
            @ForAll @Size(max = 30) List<@LongRange(max = 1_000_000) Long> holdings,
            @ForAll @LongRange(max = 10_000_000) long capacity) {
        long[] h = arr(holdings);
        long s = WaterFilling.share(capacity, h, h.length);
        if (s < capacity) {
            assertThat(filled(h, s + 1)).isGreaterThan(capacity);
        }
    }

    @Property
    void share_appBelowShareKeepsAll_othersGetTheShare(
            @ForAll @Size(min = 1, max = 30) List<@LongRange(max = 1_000_000) Long> holdings,
            @ForAll @LongRange(max = 10_000_000) long capacity) {
        long[] h = arr(holdings);
        long s = WaterFilling.share(capacity, h, h.length);
        long total = 0;
        for (long x : h) {
            total += x;
        }
        if (total > capacity) {
            // Over capacity: the shares leave less than one byte per capped app unused.
            long capped = 0;
            for (long x : h) {
                if (x > s) {
                    capped++;
                }
            }
            assertThat(capped).isPositive();
            assertThat(capacity - filled(h, s)).isLessThan(capped);
        }
    }

    @Property
    void share_isMonotoneInCapacity(
            @ForAll @Size(max = 20) List<@LongRange(max = 1_000_000) Long> holdings,
            @ForAll @LongRange(max = 5_000_000) long capacity,
            @ForAll @LongRange(max = 5_000_000) long more) {
        long[] h = arr(holdings);
        assertThat(WaterFilling.share(capacity + more, h, h.length))
                .isGreaterThanOrEqualTo(WaterFilling.share(capacity, h, h.length));
    }

    @Property
    void share_doesNotGrowWhenAnotherAppDemandsMore(
            @ForAll @Size(min = 1, max = 20) List<@LongRange(max = 1_000_000) Long> holdings,
            @ForAll @LongRange(max = 5_000_000) long capacity,
            @ForAll @LongRange(max = 1_000_000) long more) {
        long[] h = arr(holdings);
        long before = WaterFilling.share(capacity, h, h.length);
        h[0] += more;
        assertThat(WaterFilling.share(capacity, h, h.length)).isLessThanOrEqualTo(before);
    }

    @Property
    void above_agreesWithShare(
            @ForAll @Size(min = 1, max = 30) List<@LongRange(max = 1_000_000) Long> holdings,
            @ForAll @LongRange(max = 10_000_000) long capacity) {
        long[] h = arr(holdings);
        long s = WaterFilling.share(capacity, h, h.length);
        for (long x : h) {
            assertThat(WaterFilling.above(capacity, h, h.length, x)).isEqualTo(x > s);
        }
    }
}
