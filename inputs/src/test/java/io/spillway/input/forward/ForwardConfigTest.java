package io.spillway.input.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.config.ConfigBinder;
import io.spillway.config.DataSize;
import io.spillway.config.InvalidValueException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ForwardConfigTest {
    @Test
    void defaults_loopback24224NoHandshakeNoTls() {
        ForwardConfig c = ForwardConfig.defaults();
        assertThat(c.listen().toString()).isEqualTo("127.0.0.1:24224");
        assertThat(c.sharedKey()).isEmpty();
        assertThat(c.tls().enabled()).isFalse();
        assertThat(c.maxChunkBytes()).isEqualTo(16 * 1024 * 1024);
        assertThat(c.app()).isEqualTo("{{container_name}}");
    }

    @Test
    void maxChunkBelowMaxEntry_rejectedNamingTheKey() {
        ForwardConfig d = ForwardConfig.defaults();
        assertThatThrownBy(() -> new ForwardConfig(
                        true,
                        d.listen(),
                        true,
                        10,
                        Duration.ofMinutes(1),
                        DataSize.ofMiB(2),
                        DataSize.ofMiB(1),
                        DataSize.ofMiB(64),
                        DataSize.ofMiB(256),
                        Duration.ofSeconds(1),
                        16384,
                        "",
                        "s",
                        "{{tag}}",
                        ForwardConfig.Tls.defaults(),
                        512,
                        ForwardConfig.Partial.defaults()))
                .isInstanceOf(InvalidValueException.class)
                .satisfies(e -> assertThat(((InvalidValueException) e).key()).isEqualTo("max_chunk"));
    }

    @Test
    void tlsWithoutCert_rejected() {
        assertThatThrownBy(() -> new ForwardConfig.Tls(true, "", "key.pem"))
                .isInstanceOf(InvalidValueException.class)
                .satisfies(e -> assertThat(((InvalidValueException) e).key()).isEqualTo("cert"));
    }

    @Test
    void malformedAppTemplate_rejected() {
        ForwardConfig d = ForwardConfig.defaults();
        assertThatThrownBy(() -> new ForwardConfig(
                        true,
                        d.listen(),
                        true,
                        10,
                        Duration.ofMinutes(1),
                        d.maxEntry(),
                        d.maxChunk(),
                        d.maxDecompressed(),
                        d.maxBuffered(),
                        d.ackTimeout(),
                        d.dedupWindow(),
                        "",
                        "s",
                        "{{container_name",
                        d.tls(),
                        512,
                        d.partial()))
                .isInstanceOf(InvalidValueException.class)
                .satisfies(e -> assertThat(((InvalidValueException) e).key()).isEqualTo("app"));
    }

    @Test
    void yaml_asAUserWritesIt_bound() throws Exception {
        ForwardConfig c = ConfigBinder.bind(
                ForwardConfig.class,
                ConfigBinder.readYaml(
                        "listen: 0.0.0.0:24225\nmax_chunk: 4MiB\nshared_key: k\napp: \"{{tag}}\"\n"
                                + "tls:\n  enabled: true\n  cert: /etc/c.pem\n  key: /etc/k.pem\n",
                        "test"));
        assertThat(c.listen().port()).isEqualTo(24225);
        assertThat(c.maxChunkBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(c.sharedKey()).isEqualTo("k");
        assertThat(c.tls().cert()).isEqualTo("/etc/c.pem");
        assertThat(c.ackTimeout()).isEqualTo(Duration.ofSeconds(30));
    }
}
