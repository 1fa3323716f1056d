package io.spillway.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.config.DataSize;
import io.spillway.space.SpaceFloor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every floor is spelled min_free_space; the former spellings still bind, and messages name them as written. */
class FloorKeysTest {
    @TempDir
    Path dir;

    private NodeConfig load(String yaml, String... overrides) throws Exception {
        Path f = dir.resolve("spillway.yaml");
        Files.writeString(f, yaml);
        return ConfigLoader.load(f, List.of(overrides)).withDataDir(dir.resolve("data"));
    }

    @Test
    void formerSpellings_bindTheSameFloors() throws Exception {
        NodeConfig former = load("buffer: {floor: 2GiB}\nspace: {floor: 5%}\n");
        NodeConfig current = load("buffer: {min_free_space: 2GiB}\nspace: {min_free_space: 5%}\n");
        assertThat(former.buffer()).isEqualTo(current.buffer());
        assertThat(former.space()).isEqualTo(current.space());
        assertThat(current.buffer().minFreeSpace())
                .isEqualTo(SpaceFloor.ofBytes(DataSize.ofGiB(2).bytes()));
        assertThat(current.writtenKeys().formerByCurrent()).isEmpty();
        assertThat(former.writtenKeys().of("buffer.min_free_space")).isEqualTo("buffer.floor");
        assertThat(former.writtenKeys().of("space.min_free_space")).isEqualTo("space.floor");
    }

    @Test
    void floorProblems_nameTheKeyAsWritten() throws Exception {
        assertThat(Node.floorProblems(load("buffer: {min_free_space: 1000000TiB}\n")))
                .anyMatch(p -> p.startsWith("buffer.min_free_space: the floor 1000000TiB"));
        assertThat(Node.floorProblems(load("buffer: {floor: 1000000TiB}\n")))
                .anyMatch(p -> p.startsWith("buffer.floor: the floor 1000000TiB"));
        assertThat(Node.floorProblems(load("", "space.floor=1000000TiB")))
                .anyMatch(p -> p.startsWith("space.floor: the floor 1000000TiB"))
                .noneMatch(p -> p.startsWith("space.min_free_space"));
    }

    @Test
    void defaults_nameTheCurrentKeys() throws Exception {
        NodeConfig c = load("space: {min_free_space: 1000000TiB}\n");
        assertThat(Node.floorProblems(c)).anyMatch(p -> p.startsWith("space.min_free_space: the floor 1000000TiB"));
    }
}
