package io.spillway.input.syslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.config.ConfigBinder;
import io.spillway.config.ConfigException;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import io.spillway.input.netty.TcpListener;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SyslogConfigTest {
    private static SyslogConfig bind(String yaml) throws ConfigException {
        return ConfigBinder.bind(SyslogConfig.class, ConfigBinder.readYaml(yaml, "test.yaml"));
    }

    @Test
    void bind_emptyDocument_defaults() throws ConfigException {
        SyslogConfig c = bind("");
        assertThat(c).isEqualTo(SyslogConfig.defaults());
        assertThat(c.enabled()).isTrue();
        assertThat(c.tcp().enabled()).isTrue();
        assertThat(c.tcp().listen()).isEqualTo(ListenAddress.parse("127.0.0.1:5514"));
        assertThat(c.tcp().maxConnections()).isEqualTo(4096);
        assertThat(c.tcp().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.udp().enabled()).isTrue();
        assertThat(c.udp().listen()).isEqualTo(ListenAddress.parse("127.0.0.1:5514"));
        assertThat(c.udp().receiveBuffer()).isEqualTo(DataSize.ofMiB(4));
        assertThat(c.maxFrame()).isEqualTo(DataSize.ofKiB(64));
        assertThat(c.maxFrameBytes()).isEqualTo(65536);
        assertThat(c.host()).isEmpty();
    }

    @Test
    void bind_everyKeySet_bound() throws ConfigException {
        SyslogConfig c = bind("""
                enabled: false
                tcp: {enabled: false, listen: "0.0.0.0:6514", max_connections: 10, idle_timeout: 30s}
                udp: {enabled: true, listen: ":0", receive_buffer: 8MiB}
                max_frame: 1MiB
                host: node-7
                """);
        assertThat(c.enabled()).isFalse();
        assertThat(c.tcp())
                .isEqualTo(
                        new TcpListener(false, new ListenAddress("0.0.0.0", 6514), 10, Duration.ofSeconds(30), 2048));
        assertThat(c.udp().listen()).isEqualTo(new ListenAddress("0.0.0.0", 0));
        assertThat(c.udp().receiveBuffer()).isEqualTo(DataSize.ofMiB(8));
        assertThat(c.maxFrameBytes()).isEqualTo(1024 * 1024);
        assertThat(c.host()).isEqualTo("node-7");
    }

    @Test
    void bind_partialNestedMapping_keepsOtherDefaults() throws ConfigException {
        SyslogConfig c = bind("tcp: {max_connections: 2}");
        assertThat(c.tcp().maxConnections()).isEqualTo(2);
        assertThat(c.tcp().listen()).isEqualTo(SyslogConfig.defaults().tcp().listen());
        assertThat(c.udp()).isEqualTo(SyslogConfig.defaults().udp());
    }

    @Test
    void bind_maxFrameNotASize_namesKeyAndExpectedForm() {
        assertThatThrownBy(() -> bind("max_frame: lots"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("max_frame: expected a size like 64KiB")
                .hasMessageContaining("\"lots\"");
    }

    @Test
    void bind_badValues_everyProblemReportedAtOnce() {
        assertThatThrownBy(() -> bind("""
                        tcp: {listen: nowhere, max_connections: 0, idle_timeout: 0s}
                        udp: {receive_buffer: 1}
                        max_frame: 100
                        colour: blue
                        """))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.problems())
                                .anySatisfy(p -> assertThat(p).startsWith("tcp.listen: expected an address like"))
                                .anySatisfy(p -> assertThat(p).startsWith("colour: unknown key")));
        assertThatThrownBy(() -> bind("tcp: {max_connections: 0}"))
                .hasMessage("tcp.max_connections: must be at least 1, got 0");
        assertThatThrownBy(() -> bind("tcp: {idle_timeout: 0s}"))
                .hasMessageStartingWith("tcp.idle_timeout: must be longer than 0s");
        assertThatThrownBy(() -> bind("udp: {receive_buffer: 1}"))
                .hasMessageStartingWith("udp.receive_buffer: must be between 1024");
        assertThatThrownBy(() -> bind("max_frame: 100"))
                .hasMessage("max_frame: must be between 480 and 16777216, got 100");
        assertThatThrownBy(() -> bind("max_frame: 1GiB")).hasMessageStartingWith("max_frame: must be between 480");
    }
}
