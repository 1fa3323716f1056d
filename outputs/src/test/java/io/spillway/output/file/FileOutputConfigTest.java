package io.spillway.output.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spillway.config.ConfigBinder;
import io.spillway.config.ConfigException;
import io.spillway.config.DataSize;
import io.spillway.output.file.FileOutputConfig.Format;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FileOutputConfigTest {
    private static FileOutputConfig bind(String yaml) throws ConfigException {
        return ConfigBinder.bind(FileOutputConfig.class, ConfigBinder.readYaml(yaml, "test"));
    }

    @Test
    void bind_empty_givesDefaults() throws Exception {
        FileOutputConfig c = bind("");

        assertThat(c).isEqualTo(FileOutputConfig.defaults());
        assertThat(c.enabled()).isTrue();
        assertThat(c.dir()).isEmpty();
        assertThat(c.format()).isEqualTo(Format.TEXT);
        assertThat(c.maxFileSize()).isEqualTo(DataSize.ofMiB(64));
        assertThat(c.maxFiles()).isEqualTo(5);
        assertThat(c.maxTotal()).isEqualTo(DataSize.ofGiB(1));
        assertThat(c.maxOpenFiles()).isEqualTo(256);
        assertThat(c.minFreeSpace()).isEqualTo(io.spillway.space.SpaceFloor.DEFAULT);
        assertThat(c.fsyncOnFlush()).isFalse();
    }

    @Test
    void bind_everyKey_bound() throws Exception {
        FileOutputConfig c = bind("""
                enabled: false
                dir: /var/log/spillway
                format: json
                max_file_size: 8MiB
                max_files: 3
                max_total: 100MiB
                max_open_files: 16
                min_free_space: 1GiB
                fsync_on_flush: true
                """);

        assertThat(c)
                .isEqualTo(new FileOutputConfig(
                        false,
                        "/var/log/spillway",
                        Format.JSON,
                        DataSize.ofMiB(8),
                        3,
                        DataSize.ofMiB(100),
                        16,
                        io.spillway.space.SpaceFloor.ofBytes(DataSize.ofGiB(1).bytes()),
                        true));
    }

    @Test
    void bind_fileSizeBelowMinimum_namesKey() {
        assertThatThrownBy(() -> bind("max_file_size: 1KiB"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("max_file_size")
                .hasMessageContaining("4KiB");
    }

    @Test
    void bind_totalBelowFileSize_namesKey() {
        assertThatThrownBy(() -> bind("max_file_size: 64MiB\nmax_total: 10MiB"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("max_total")
                .hasMessageContaining("max_file_size");
    }

    @Test
    void bind_zeroFiles_namesKey() {
        assertThatThrownBy(() -> bind("max_files: 0"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("max_files: must be between 1 and 1000, got 0");
    }

    @Test
    void bind_zeroOpenFiles_namesKey() {
        assertThatThrownBy(() -> bind("max_open_files: 0"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("max_open_files");
    }

    @Test
    void bind_unknownFormat_namesKeyAndChoices() {
        assertThatThrownBy(() -> bind("format: xml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("format")
                .hasMessageContaining("text")
                .hasMessageContaining("json");
    }

    @Test
    void bind_badSize_namesKey() {
        assertThatThrownBy(() -> bind("max_total: lots"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("max_total");
    }

    @Test
    void bind_unknownKey_rejected() {
        assertThatThrownBy(() -> bind("max_size: 1GiB"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("max_size: unknown key");
    }

    @Test
    void resolveDir_emptyOrRelative_underDataDir() throws Exception {
        Path data = Path.of("/var/lib/spillway");

        assertThat(FileOutputConfig.defaults().resolveDir(data)).isEqualTo(data.resolve("files"));
        assertThat(bind("dir: logs").resolveDir(data)).isEqualTo(data.resolve("logs"));
        assertThat(bind("dir: /srv/logs").resolveDir(data)).isEqualTo(Path.of("/srv/logs"));
    }
}
