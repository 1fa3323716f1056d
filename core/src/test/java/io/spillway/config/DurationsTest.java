package io.spillway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.generators.SourceDSL.longs;

import io.spillway.Theories;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void parse_unitsAndSums() {
        assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void parse_bareNumberOrUnknownUnit_isRefused() {
        assertThatThrownBy(() -> Durations.parse("10"))
                .hasMessage("expected a duration like 10s, 5m or 250ms, got \"10\"");
        assertThatThrownBy(() -> Durations.parse("10 fortnights")).hasMessageContaining("got \"10 fortnights\"");
        assertThatThrownBy(() -> Durations.parse("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void format_parsesBack() {
        Theories.qt(1000).forAll(longs().between(0, 1_000_000_000_000_000L)).checkAssert(nanos -> {
            Duration d = Duration.ofNanos(nanos);
            assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
        });
    }
}
