package io.spillway.diskguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WatermarkTest {
    private static final long GiB = 1L << 30;

    @Test
    void parse_percent_crossedAtThatShareInUse() {
        Watermark w = Watermark.parse("90%");
        assertThat(w.crossed(100 * GiB, 11 * GiB)).isFalse();
        assertThat(w.crossed(100 * GiB, 10 * GiB)).isTrue();
        assertThat(w.toString()).isEqualTo("90%");
    }

    @Test
    void parse_size_crossedBelowThatMuchFree() {
        Watermark w = Watermark.parse("5GiB");
        assertThat(w.crossed(100 * GiB, 5 * GiB)).isFalse();
        assertThat(w.crossed(100 * GiB, 5 * GiB - 1)).isTrue();
    }

    @Test
    void parse_garbage_namesTheExpectedForms() {
        assertThatThrownBy(() -> Watermark.parse("lots"))
                .hasMessageContaining("90%")
                .hasMessageContaining("5GiB")
                .hasMessageContaining("\"lots\"");
        assertThatThrownBy(() -> Watermark.parse("120%")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clearedWithMargin_percent_needsMarginBelow() {
        Watermark w = Watermark.percent(90);
        assertThat(w.clearedWithMargin(100 * GiB, 11 * GiB, 2)).isFalse(); // 89% used
        assertThat(w.clearedWithMargin(100 * GiB, 13 * GiB, 2)).isTrue(); // 87% used
    }

    @Test
    void clearedWithMargin_size_needsMarginMoreFree() {
        Watermark w = Watermark.free(5 * GiB);
        assertThat(w.clearedWithMargin(100 * GiB, 6 * GiB, 2)).isFalse();
        assertThat(w.clearedWithMargin(100 * GiB, 7 * GiB, 2)).isTrue();
    }

    @Test
    void toString_isTheConfigFormThatParsesBack() {
        for (String text : new String[] {"90%", "99.5%", "5GiB", "1536MiB"}) {
            assertThat(Watermark.parse(Watermark.parse(text).toString())).isEqualTo(Watermark.parse(text));
        }
    }
}
