package io.spillway.input.syslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PeerLogLimiterTest {
    private final FakeClock clock = FakeClock.at("2015-07-29T03:00:00Z");
    private final PeerLogLimiter limiter = new PeerLogLimiter(clock, Duration.ofSeconds(10));

    @Test
    void tryAcquire_samePeerWithinInterval_onlyFirstAllowed() {
        assertThat(limiter.tryAcquire("10.0.0.1")).isTrue();
        clock.advance(Duration.ofSeconds(9));
        assertThat(limiter.tryAcquire("10.0.0.1")).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(limiter.tryAcquire("10.0.0.1")).isTrue();
    }

    @Test
    void tryAcquire_otherPeer_independent() {
        assertThat(limiter.tryAcquire("10.0.0.1")).isTrue();
        assertThat(limiter.tryAcquire("10.0.0.2")).isTrue();
        assertThat(limiter.tryAcquire("10.0.0.1")).isFalse();
    }

    @Test
    void tryAcquire_manyPeers_memoryBoundedAndStillLimits() {
        for (int i = 0; i < PeerLogLimiter.MAX_PEERS * 3; i++) {
            limiter.tryAcquire("peer-" + i);
        }
        assertThat(limiter.tryAcquire("last")).isTrue();
        assertThat(limiter.tryAcquire("last")).isFalse();
    }
}
