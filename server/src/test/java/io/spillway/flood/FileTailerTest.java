package io.spillway.flood;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTailerTest {
    @TempDir
    Path dir;

    private void append(Path f, String s) throws Exception {
        Files.writeString(f, s, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void poll_renameRotation_readsOldTailThenNewFile() throws Exception {
        Path f = dir.resolve("a.log");
        List<String> got = new ArrayList<>();
        try (FileTailer t = new FileTailer(f)) {
            t.poll(got::add);
            assertThat(got).isEmpty();
            append(f, "1\n2\n");
            t.poll(got::add);
            append(f, "3\n");
            Files.move(f, dir.resolve("a.log.1"));
            append(f, "4\n");
            t.poll(got::add);
            append(f, "5\npartial");
            t.poll(got::add);
        }
        assertThat(got).containsExactly("1", "2", "3", "4", "5");
    }

    @Test
    void poll_truncated_startsOver() throws Exception {
        Path f = dir.resolve("b.log");
        List<String> got = new ArrayList<>();
        try (FileTailer t = new FileTailer(f)) {
            append(f, "one\ntwo\n");
            t.poll(got::add);
            try (var ch = java.nio.channels.FileChannel.open(f, StandardOpenOption.WRITE)) {
                ch.truncate(0);
            }
            append(f, "x\n");
            t.poll(got::add);
        }
        assertThat(got).containsExactly("one", "two", "x");
    }

    @Test
    void poll_overlongLine_skippedAndCounted() throws Exception {
        Path f = dir.resolve("c.log");
        append(f, "a".repeat(FileTailer.MAX_LINE + 10) + "\nshort\n");
        List<String> got = new ArrayList<>();
        try (FileTailer t = new FileTailer(f)) {
            t.poll(got::add);
            assertThat(t.skippedLines).isEqualTo(1);
        }
        assertThat(got).containsExactly("short");
    }
}
