package io.spillway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BannerTest {
    @Test
    void masked_adminToken_showsOnlyItsPrefix() {
        String token = "spw_3q2-Xb7Hk9QmZr0aLwE1yTnVcS5uJdP4oBgFi8K6e2M";
        assertThat(Banner.masked(token)).isEqualTo("spw_3q2-Xb...").doesNotContain(token.substring(10));
    }

    @Test
    void masked_shortString_showsNothingOfIt() {
        assertThat(Banner.masked("spw_")).isEqualTo("...");
    }
}
