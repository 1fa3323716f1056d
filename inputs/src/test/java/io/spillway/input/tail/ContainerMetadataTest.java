package io.spillway.input.tail;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.record.AppNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerMetadataTest {
    private static final String ID = "3f4e5d6c7b8a90123456789abcdef0123456789abcdef0123456789abcdef01";

    @TempDir
    Path root;

    private Path container(String config) throws IOException {
        Path dir = Files.createDirectories(root.resolve(ID));
        if (config != null) {
            Files.writeString(dir.resolve("config.v2.json"), config);
        }
        return dir.resolve(ID + "-json.log");
    }

    @Test
    void docker_nameOnly_appIsNameWithoutSlash() throws IOException {
        Path log = container("{\"ID\":\"x\",\"Name\":\"/web-1\",\"Config\":{\"Labels\":{\"app\":\"shop\"}}}");
        ContainerMetadata m = ContainerMetadata.docker(log, "");
        assertThat(m.app()).isEqualTo("web-1");
        assertThat(m.fields()).containsEntry("container_id", ID).containsEntry("container_name", "web-1");
    }

    @Test
    void docker_appLabelPresent_appIsLabelValue() throws IOException {
        Path log = container(
                "{\"Config\":{\"Env\":[\"A=1\"],\"Labels\":{\"x\":{\"nested\":1},\"com.example.app\":\"shop api\"}},\"Name\":\"/web-1\"}");
        assertThat(ContainerMetadata.docker(log, "com.example.app").app()).isEqualTo(AppNames.normalize("shop api"));
        assertThat(ContainerMetadata.docker(log, "missing").app()).isEqualTo("web-1");
    }

    @Test
    void docker_configMissingOrMalformedOrTooLarge_appIsShortId() throws IOException {
        Path log = container(null);
        assertThat(ContainerMetadata.docker(log, "").app()).isEqualTo(ID.substring(0, 12));
        Files.writeString(log.resolveSibling("config.v2.json"), "{\"Name\":");
        assertThat(ContainerMetadata.docker(log, "").app()).isEqualTo(ID.substring(0, 12));
        String big = "{\"Pad\":\"" + "a".repeat((int) ContainerMetadata.MAX_CONFIG_BYTES) + "\",\"Name\":\"/web-1\"}";
        Files.writeString(log.resolveSibling("config.v2.json"), big);
        assertThat(ContainerMetadata.docker(log, "").app()).isEqualTo(ID.substring(0, 12));
    }

    @Test
    void cri_podLogPath_appIsContainerName() {
        Path log = Path.of("/var/log/pods/shop_web-7d4b9c-x2x9z_0f1e2d3c-aaaa-bbbb-cccc-000000000000/nginx/0.log");
        ContainerMetadata m = ContainerMetadata.cri(log);
        assertThat(m.app()).isEqualTo("nginx");
        assertThat(m.fields())
                .containsEntry("k8s_namespace", "shop")
                .containsEntry("k8s_pod", "web-7d4b9c-x2x9z")
                .containsEntry("container_name", "nginx");
    }

    @Test
    void cri_shortPath_doesNotThrow() {
        assertThat(ContainerMetadata.cri(Path.of("0.log")).app()).isEqualTo(AppNames.UNKNOWN);
        assertThat(ContainerMetadata.cri(Path.of("c/0.log")).app()).isEqualTo("c");
    }
}
