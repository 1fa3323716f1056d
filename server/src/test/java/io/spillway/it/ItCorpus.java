package io.spillway.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The shared sample corpus for ITs, found through the system property {@code spillway.corpus} (the
 * inputs module's {@code Corpus} is test code of that module, not visible here). Missing corpus: a
 * clear failure, never a silent pass.
 */
final class ItCorpus {
    private ItCorpus() {}

    static byte[] bytes(String name) {
        String dir = System.getProperty("spillway.corpus");
        if (dir == null || dir.isBlank()) {
            throw new IllegalStateException(
                    "system property spillway.corpus is not set; run through Maven or pass -Dspillway.corpus=DIR");
        }
        Path file = Path.of(dir, name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("corpus file " + file + " not found (spillway.corpus=" + dir + ")");
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The LF-separated lines, without the LF; a final empty line is dropped. */
    static List<byte[]> lines(String name) {
        byte[] all = bytes(name);
        List<byte[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                lines.add(Arrays.copyOfRange(all, start, i));
                start = i + 1;
            }
        }
        if (start < all.length) {
            lines.add(Arrays.copyOfRange(all, start, all.length));
        }
        return lines;
    }

    static String text(byte[] line) {
        return new String(line, StandardCharsets.UTF_8);
    }
}
