package io.spillway.input.tail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.config.ConfigBinder;
import io.spillway.config.ConfigException;
import io.spillway.config.DataSize;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TailConfigTest {
    private static TailConfig bind(String yaml) throws ConfigException {
        return ConfigBinder.bind(TailConfig.class, ConfigBinder.readYaml(yaml, "test.yaml"));
    }

    @Test
    void bind_emptyDocument_defaultsAndDisabled() throws ConfigException {
        TailConfig c = bind("");
        assertThat(c).isEqualTo(TailConfig.defaults());
        assertThat(c.enabled()).isFalse();
        assertThat(c.dockerRoot()).isEqualTo(Path.of("/var/lib/docker/containers"));
        assertThat(c.criRoot()).isEqualTo(Path.of("/var/log/pods"));
        assertThat(c.scanInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.maxOpenFiles()).isEqualTo(512);
        assertThat(c.maxLine()).isEqualTo(DataSize.ofKiB(256));
        assertThat(c.readBuffer()).isEqualTo(DataSize.ofKiB(64));
        assertThat(c.checkpointFile(Path.of("/data"))).isEqualTo(Path.of("/data/tail-checkpoints.json"));
        assertThat(c.appLabel()).isEmpty();
    }

    @Test
    void bind_allKeys_bound() throws ConfigException {
        TailConfig c = bind("""
                enabled: true
                docker_root: /d
                cri_root: /c
                scan_interval: 250ms
                max_open_files: 8
                max_line: 1MiB
                read_buffer: 8KiB
                checkpoint: /state/cp.json
                app_label: com.example.app
                host: node-1
                """);
        assertThat(c.enabled()).isTrue();
        assertThat(c.dockerRoot()).isEqualTo(Path.of("/d"));
        assertThat(c.scanInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.maxOpenFiles()).isEqualTo(8);
        assertThat(c.maxLineBytes()).isEqualTo(1024 * 1024);
        assertThat(c.readBufferBytes()).isEqualTo(8192);
        assertThat(c.checkpointFile(Path.of("/data"))).isEqualTo(Path.of("/state/cp.json"));
        assertThat(c.appLabel()).isEqualTo("com.example.app");
    }

    @Test
    void bind_outOfRange_rejectedNamingTheKey() {
        assertThatThrownBy(() -> bind("max_open_files: 0")).hasMessageContaining("max_open_files");
        assertThatThrownBy(() -> bind("max_line: 100")).hasMessageContaining("max_line");
        assertThatThrownBy(() -> bind("read_buffer: 1GiB")).hasMessageContaining("read_buffer");
        assertThatThrownBy(() -> bind("scan_interval: 0s")).hasMessageContaining("scan_interval");
    }
}
