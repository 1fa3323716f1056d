package io.spillway.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.FakeClock;
import io.spillway.server.auth.Scope;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SessionsTest {
    final FakeClock clock = FakeClock.at("2026-01-01T00:00:00Z");

    @Test
    void create_pastMaxSessions_evictsOldest() {
        Sessions s = new Sessions(3, Duration.ofHours(1), clock);
        Sessions.Session first = s.create(Scope.ADMIN, "a", "t1");
        for (int i = 0; i < 5; i++) {
            s.create(Scope.ADMIN, "b" + i, "t1");
        }
        assertThat(s.size()).isEqualTo(3);
        assertThat(s.get(first.id())).isEmpty();
    }

    @Test
    void get_afterLifetime_expired() {
        Sessions s = new Sessions(10, Duration.ofHours(1), clock);
        Sessions.Session x = s.create(Scope.app("web"), "web", "t1");
        clock.advance(Duration.ofMinutes(59));
        assertThat(s.get(x.id())).isPresent();
        clock.advance(Duration.ofMinutes(1));
        assertThat(s.get(x.id())).isEmpty();
        assertThat(s.size()).isZero();
    }

    @Test
    void csrf_onlyTheSessionsOwnTokenMatches() {
        Sessions s = new Sessions(10, Duration.ofHours(1), clock);
        Sessions.Session a = s.create(Scope.ADMIN, "a", "t1");
        Sessions.Session b = s.create(Scope.ADMIN, "b", "t1");
        assertThat(a.id()).isNotEqualTo(b.id()).hasSize(48);
        assertThat(Sessions.csrfMatches(a, a.csrf())).isTrue();
        assertThat(Sessions.csrfMatches(a, b.csrf())).isFalse();
        assertThat(Sessions.csrfMatches(a, null)).isFalse();
    }
}
