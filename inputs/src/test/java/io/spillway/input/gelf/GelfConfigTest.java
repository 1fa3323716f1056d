package io.spillway.input.gelf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.config.ConfigBinder;
import io.spillway.config.ConfigException;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GelfConfigTest {
    private static GelfConfig bind(String yaml) throws ConfigException {
        return ConfigBinder.bind(GelfConfig.class, ConfigBinder.readYaml(yaml, "test.yaml"));
    }

    @Test
    void bind_emptyDocument_defaults() throws ConfigException {
        GelfConfig c = bind("");
        assertThat(c).isEqualTo(GelfConfig.defaults());
        assertThat(c.udp().listen()).isEqualTo(ListenAddress.parse("127.0.0.1:12201"));
        assertThat(c.tcp().listen()).isEqualTo(ListenAddress.parse("127.0.0.1:12201"));
        assertThat(c.tcp().maxConnections()).isEqualTo(1024);
        assertThat(c.maxMessage()).isEqualTo(DataSize.ofMiB(1));
        assertThat(c.maxChunkedMessages()).isEqualTo(1000);
        assertThat(c.chunkTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.appField()).isEqualTo("_container_name");
    }

    @Test
    void bind_everyKeySet_bound() throws ConfigException {
        GelfConfig c = bind("""
                enabled: false
                udp: {enabled: false, listen: "0.0.0.0:12202", receive_buffer: 8MiB}
                tcp: {enabled: true, listen: ":0", max_connections: 5, idle_timeout: 30s}
                max_message: 256KiB
                max_chunked_messages: 10
                max_reassembly_bytes: 1MiB
                chunk_timeout: 2s
                app_field: _service
                """);
        assertThat(c.enabled()).isFalse();
        assertThat(c.udp().receiveBuffer()).isEqualTo(DataSize.ofMiB(8));
        assertThat(c.tcp().maxConnections()).isEqualTo(5);
        assertThat(c.maxMessageBytes()).isEqualTo(256 * 1024);
        assertThat(c.maxChunkedMessages()).isEqualTo(10);
        assertThat(c.chunkTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.appField()).isEqualTo("_service");
    }

    @Test
    void bind_badValues_rejected() {
        assertThatThrownBy(() -> bind("max_message: 10")).hasMessageContaining("max_message");
        assertThatThrownBy(() -> bind("max_chunked_messages: 0")).hasMessageContaining("max_chunked_messages");
        assertThatThrownBy(() -> bind("app_field: service")).hasMessageContaining("app_field");
        assertThatThrownBy(() -> bind("max_message: 2MiB\nmax_reassembly_bytes: 1MiB"))
                .hasMessageContaining("max_reassembly_bytes");
    }
}
