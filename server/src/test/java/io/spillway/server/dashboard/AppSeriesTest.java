package io.spillway.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.store.AppSummary;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppSeriesTest {
    static AppSummary app(String name, double rate) {
        return new AppSummary(name, 1, 1, 1, null, null, rate, 0);
    }

    @Test
    void sample_pastPoints_keepsNewestInOrder() {
        AppSeries s = new AppSeries(4, 10);
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < 7; i++) {
            s.sample(t.plusSeconds(10L * i), List.of(app("web", i)), Map.of());
        }
        AppSeries.Series web = s.get("web");
        assertThat(web.rate()).containsExactly(3, 4, 5, 6);
        assertThat(web.times()[0]).isEqualTo(t.plusSeconds(30).getEpochSecond());
    }

    @Test
    void sample_dropTotals_becomeRatePerSecond() {
        AppSeries s = new AppSeries(10, 10);
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        s.sample(t, List.of(), Map.of("web", 100L));
        s.sample(t.plusSeconds(10), List.of(), Map.of("web", 150L));
        assertThat(s.get("web").drops()).containsExactly(0, 5);
    }

    @Test
    void sample_newAppWithDropsSinceThePreviousSample_showsTheirRate() {
        AppSeries s = new AppSeries(10, 10);
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        s.sample(t, List.of(app("web", 1)), Map.of());
        // A burst rate-limited from its first line, wholly between two samples.
        s.sample(t.plusSeconds(10), List.of(app("web", 1), app("noisy", 50)), Map.of("noisy", 9035L));
        s.sample(t.plusSeconds(20), List.of(app("web", 1), app("noisy", 0)), Map.of("noisy", 9035L));
        assertThat(s.get("noisy").drops()).containsExactly(903.5, 0);
    }

    @Test
    void sample_pastMaxApps_refusesNewApps() {
        AppSeries s = new AppSeries(10, 2);
        s.sample(Instant.EPOCH, List.of(app("a", 1), app("b", 1), app("c", 1)), Map.of());
        assertThat(s.apps()).isEqualTo(2);
        assertThat(s.refusedApps()).isEqualTo(1);
    }
}
