package io.spillway.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import io.spillway.Theories;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class WaterFillingTest {

    /** What each app holds: {@code min} to {@code max} apps, each 0 to 1,000,000 bytes. */
    private static Gen<List<Long>> holdings(int min, int max) {
        return lists().of(longs().between(0, 1_000_000)).ofSizeBetween(min, max);
    }

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

    @Test
    void share_fillsAtMostCapacity() {
        Theories.qt(1000)
                .forAll(holdings(0, 30), longs().between(0, 10_000_000))
                .checkAssert(WaterFillingTest::fillsAtMostCapacity);
    }

    private static void fillsAtMostCapacity(List<Long> holdings, long capacity) {
        long[] h = arr(holdings);
        long s = WaterFilling.share(capacity, h, h.length);
        assertThat(s).isBetween(0L, Math.max(0, capacity));
        assertThat(filled(h, s)).isLessThanOrEqualTo(capacity);
    }

    @Test
    void share_isTheLargestSuchValue() {
        Theories.qt(1000)
                .forAll(holdings(0, 30), longs().between(0, 10_000_000))
                .checkAssert(WaterFillingTest::isTheLargestSuchValue);
    }

    private static void isTheLargestSuchValue(List<Long> holdings, long capacity) {
        long[] h = arr(holdings);
        long s = WaterFilling.share(capacity, h, h.length);
        if (s < capacity) {
            assertThat(filled(h, s + 1)).isGreaterThan(capacity);
        }
    }

    @Test
    void share_appBelowShareKeepsAll_othersGetTheShare() {
        Theories.qt(1000)
                .forAll(holdings(1, 30), longs().between(0, 10_000_000))
                .checkAssert(WaterFillingTest::belowShareKeepsAll);
    }

    private static void belowShareKeepsAll(List<Long> holdings, long capacity) {
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

    @Test
    void share_isMonotoneInCapacity() {
        Theories.qt(1000)
                .forAll(holdings(0, 20), longs().between(0, 5_000_000), longs().between(0, 5_000_000))
                .checkAssert(WaterFillingTest::monotoneInCapacity);
    }

    private static void monotoneInCapacity(List<Long> holdings, long capacity, long more) {
        long[] h = arr(holdings);
        assertThat(WaterFilling.share(capacity + more, h, h.length))
                .isGreaterThanOrEqualTo(WaterFilling.share(capacity, h, h.length));
    }

    @Test
    void share_doesNotGrowWhenAnotherAppDemandsMore() {
        Theories.qt(1000)
                .forAll(holdings(1, 20), longs().between(0, 5_000_000), longs().between(0, 1_000_000))
                .checkAssert(WaterFillingTest::doesNotGrowWhenAnotherDemandsMore);
    }

    private static void doesNotGrowWhenAnotherDemandsMore(List<Long> holdings, long capacity, long more) {
        long[] h = arr(holdings);
        long before = WaterFilling.share(capacity, h, h.length);
        h[0] += more;
        assertThat(WaterFilling.share(capacity, h, h.length)).isLessThanOrEqualTo(before);
    }

    @Test
    void above_agreesWithShare() {
        Theories.qt(1000)
                .forAll(holdings(1, 30), longs().between(0, 10_000_000))
                .checkAssert(WaterFillingTest::aboveAgreesWithShare);
    }

    private static void aboveAgreesWithShare(List<Long> holdings, long capacity) {
        long[] h = arr(holdings);
        long s = WaterFilling.share(capacity, h, h.length);
        for (long x : h) {
            assertThat(WaterFilling.above(capacity, h, h.length, x)).isEqualTo(x > s);
        }
    }
}
