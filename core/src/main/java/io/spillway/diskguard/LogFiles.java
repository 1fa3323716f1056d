package io.spillway.diskguard;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds the container runtimes' log files and their sizes: Docker json-file logs under {@code
 * <containers>/<id>/<id>-json.log*} and CRI logs under {@code <pods>/<pod>/<container>/*.log*}.
 *
 * <p>Bounded: a scan visits at most {@code maxFiles} files and a fixed directory depth, follows no
 * symbolic links, and reports how many it skipped. Directories that vanish mid-scan (a container
 * removed) are ignored. Not thread-safe; one scan at a time.
 */
final class LogFiles {
    private final Path dockerContainers;
    private final Path pods;
    private final int maxFiles;
    private long skipped;

    LogFiles(Path dockerContainers, Path pods, int maxFiles) {
        this.dockerContainers = dockerContainers;
        this.pods = pods;
        this.maxFiles = maxFiles;
    }

    /** Sizes of every log file found, in a stable order; at most {@code maxFiles} entries. */
    Map<Path, Long> scan() {
        skipped = 0;
        Map<Path, Long> sizes = new LinkedHashMap<>();
        // Docker: containers/<id>/<id>-json.log and its rotations (<id>-json.log.1, ...).
        for (Path container : list(dockerContainers)) {
            for (Path f : list(container)) {
                String name = f.getFileName().toString();
                if (name.contains("-json.log")) {
                    add(sizes, f);
                }
            }
        }
        // CRI: pods/<namespace>_<pod>_<uid>/<container>/<restart>.log (and rotations).
        for (Path pod : list(pods)) {
            for (Path container : list(pod)) {
                for (Path f : list(container)) {
                    if (f.getFileName().toString().contains(".log")) {
                        add(sizes, f);
                    }
                }
            }
        }
        return sizes;
    }

    /** Files seen beyond {@code maxFiles} in the last scan. */
    long skipped() {
        return skipped;
    }

    private void add(Map<Path, Long> sizes, Path f) {
        if (sizes.size() >= maxFiles) {
            skipped++;
            return;
        }
        try {
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isRegularFile()) {
                sizes.put(f, a.size());
            }
        } catch (IOException e) {
            // Removed between listing and stat: nothing to measure.
        }
    }

    private Iterable<Path> list(Path dir) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return java.util.List.of();
        }
        java.util.List<Path> out = new java.util.ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                out.add(p);
                if (out.size() > maxFiles) {
                    skipped++;
                    break;
                }
            }
        } catch (IOException e) {
            // Vanished or unreadable: skip it; the next scan tries again.
        }
        return out;
    }
}
