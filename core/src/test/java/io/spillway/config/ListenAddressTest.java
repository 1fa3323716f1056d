package io.spillway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ListenAddressTest {
    @Test
    void parse_forms() {
        assertThat(ListenAddress.parse("127.0.0.1:5514")).isEqualTo(new ListenAddress("127.0.0.1", 5514));
        assertThat(ListenAddress.parse("[::1]:80")).isEqualTo(new ListenAddress("::1", 80));
        assertThat(ListenAddress.parse(":9")).isEqualTo(new ListenAddress("0.0.0.0", 9));
        assertThat(ListenAddress.parse("[::1]:80").toString()).isEqualTo("[::1]:80");
    }

    @Test
    void parse_bad_isRefused() {
        assertThatThrownBy(() -> ListenAddress.parse("localhost")).hasMessageContaining("127.0.0.1:5514");
        assertThatThrownBy(() -> ListenAddress.parse("a:b")).hasMessageContaining("got \"a:b\"");
        assertThatThrownBy(() -> ListenAddress.parse("a:70000")).hasMessageContaining("0-65535");
    }
}
