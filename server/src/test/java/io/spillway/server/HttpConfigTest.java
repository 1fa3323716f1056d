package io.spillway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.config.ConfigBinder;
import io.spillway.config.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HttpConfigTest {
    private static HttpConfig bind(String yaml) throws ConfigException {
        return ConfigBinder.bind(HttpConfig.class, ConfigBinder.readYaml(yaml, "test"));
    }

    @Test
    void defaults_boundTimeAndConnections() {
        HttpConfig d = HttpConfig.defaults();
        assertThat(d.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.bodyTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(d.maxConnections()).isEqualTo(1024);
        assertThat(d.maxConnectionsPerSource()).isEqualTo(256);
    }

    @Test
    void bind_newKeys_fromTheYamlAUserWrites() throws ConfigException {
        HttpConfig c = bind("header_timeout: 2s\nbody_timeout: 5s\nmax_connections: 10\nmax_connections_per_source: 3");
        assertThat(c.headerTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.bodyTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.maxConnections()).isEqualTo(10);
        assertThat(c.maxConnectionsPerSource()).isEqualTo(3);
    }

    @Test
    void bind_tailHeartbeatNotShorterThanIdleTimeout_refusedNamingBothKeys() {
        assertThatThrownBy(() -> bind("tail_heartbeat: 1m\nidle_timeout: 30s"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tail_heartbeat")
                .hasMessageContaining("idle_timeout (30s)");
    }

    @Test
    void bind_zeroHeaderTimeout_refused() {
        assertThatThrownBy(() -> bind("header_timeout: 0s"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("header_timeout");
    }
}
