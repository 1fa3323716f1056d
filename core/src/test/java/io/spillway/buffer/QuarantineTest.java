package io.spillway.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuarantineTest {
    @TempDir
    Path dir;

    List<Path> kept() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve(Quarantine.DIR))) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    Path file(String name, int bytes, long mtime) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, new byte[bytes]);
        Files.setLastModifiedTime(p, FileTime.fromMillis(mtime));
        return p;
    }

    @Test
    void move_sameNameTwice_bothKeptUnderTheApp() throws IOException {
        Quarantine q = new Quarantine(dir, 1 << 20, bytes -> true);
        Path first = q.move(file("a.seg", 10, 1000), "web");
        Path second = q.move(file("a.seg", 10, 2000), "web");
        assertThat(q.describe(first)).isEqualTo("quarantine/web/a.seg");
        assertThat(q.describe(second)).isEqualTo("quarantine/web/a.seg.1");
        assertThat(kept()).hasSize(2);
    }

    @Test
    void move_beyondMaxFiles_oldestDeleted() throws IOException {
        Quarantine q = new Quarantine(dir, 1 << 20, bytes -> true);
        for (int i = 0; i < Quarantine.MAX_FILES + 3; i++) {
            q.move(file("f" + i, 10, 1000L * (i + 1)), "web");
        }
        assertThat(kept())
                .hasSize(Quarantine.MAX_FILES)
                .noneMatch(p -> p.getFileName().toString().matches("f[012]"));
    }

    @Test
    void copy_beyondMaxBytes_oldestDeleted_fileLargerThanTheBoundNotKept() throws IOException {
        Quarantine q = new Quarantine(dir, 100, bytes -> true);
        q.copy(file("old", 60, 1000), "web");
        q.copy(file("new", 60, 2000), "web");
        assertThat(kept()).extracting(p -> p.getFileName().toString()).containsExactly("new");
        assertThat(q.copy(file("huge", 101, 3000), "web")).isNull();
        assertThat(dir.resolve("huge")).exists();
        assertThat(q.move(dir.resolve("huge"), "web")).isNull();
        assertThat(dir.resolve("huge")).doesNotExist();
    }

    @Test
    void copy_filesystemAtItsFloor_nothingWritten_moveStillWorks() throws IOException {
        Quarantine q = new Quarantine(dir, 1 << 20, bytes -> false);
        assertThat(q.copy(file("a.seg", 10, 1000), "web")).isNull();
        assertThat(q.move(dir.resolve("a.seg"), "web")).isNotNull();
        assertThat(kept()).hasSize(1);
    }
}
