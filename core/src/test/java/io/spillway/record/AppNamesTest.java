package io.spillway.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.strings;

import io.spillway.Theories;
import org.junit.jupiter.api.Test;

class AppNamesTest {
    @Test
    void normalize_cleansPathsAndDockerSlash() {
        assertThat(AppNames.normalize("/web-1")).isEqualTo("web-1");
        assertThat(AppNames.normalize("../../etc/passwd")).isEqualTo(".._.._etc_passwd");
        assertThat(AppNames.normalize("..")).isEqualTo("_.");
        assertThat(AppNames.normalize("")).isEqualTo("unknown");
        assertThat(AppNames.normalize("héllo wörld")).isEqualTo("h_llo_w_rld");
    }

    @Test
    void normalize_alwaysSafe() {
        Theories.qt(1000)
                .forAll(strings().allPossible().ofLengthBetween(0, 255))
                .checkAssert(raw -> {
                    String n = AppNames.normalize(raw);
                    assertThat(n).matches("[A-Za-z0-9._-]{1,128}").isNotIn(".", "..");
                    assertThat(AppNames.normalize(n)).isEqualTo(n);
                });
    }
}
