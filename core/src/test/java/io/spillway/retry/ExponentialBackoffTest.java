package io.spillway.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class ExponentialBackoffTest {
    private final ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofSeconds(2), Duration.ofMinutes(1));
    private final RandomGenerator random = new SplittableRandom(42);

    @Test
    void delay_nthFailure_withinEqualJitterOfTheDoubledInitial() {
        for (int n = 1; n <= 5; n++) {
            Duration cap = Duration.ofSeconds(2).multipliedBy(1L << (n - 1));
            for (int i = 0; i < 1000; i++) {
                assertThat(backoff.delay(n, random)).isBetween(cap.dividedBy(2), cap);
            }
        }
    }

    @Test
    void delay_pastTheCap_withinEqualJitterOfMax() {
        for (int n : new int[] {6, 7, 31, 32, 63, 64, Integer.MAX_VALUE}) {
            assertThat(backoff.delay(n, random)).isBetween(Duration.ofSeconds(30), Duration.ofMinutes(1));
        }
    }

    @Test
    void delay_extremesOfTheGenerator_reachBothEndsOfTheRange() {
        assertThat(backoff.delay(1, new Bounds(true))).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(1, new Bounds(false))).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void delay_sameSeed_sameDelays() {
        ExponentialBackoff b = new ExponentialBackoff(Duration.ofMillis(100), Duration.ofSeconds(30));
        RandomGenerator r1 = new SplittableRandom(7);
        RandomGenerator r2 = new SplittableRandom(7);
        for (int n = 1; n < 20; n++) {
            assertThat(b.delay(n, r1)).isEqualTo(b.delay(n, r2));
        }
    }

    @Test
    void delay_wholeMilliseconds() {
        for (int n = 1; n < 20; n++) {
            assertThat(backoff.delay(n, random).toNanos() % 1_000_000).isZero();
        }
    }

    @Test
    void delay_zeroFailures_rejected() {
        assertThatThrownBy(() -> backoff.delay(0, random)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void constructor_maxBelowInitial_rejected() {
        assertThatThrownBy(() -> new ExponentialBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("initial PT2S and max PT1S");
        assertThatThrownBy(() -> new ExponentialBackoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Always draws the lowest or the highest value of the asked range. */
    private record Bounds(boolean low) implements RandomGenerator {
        @Override
        public long nextLong() {
            throw new UnsupportedOperationException();
        }

        @Override
        public long nextLong(long origin, long bound) {
            return low ? origin : bound - 1;
        }
    }
}
