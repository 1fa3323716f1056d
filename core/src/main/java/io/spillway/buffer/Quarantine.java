package io.spillway.buffer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongPredicate;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where damaged files go instead of being deleted, so that an operator can look at what was lost:
 * {@code <dir>/quarantine/<app>/<file>} inside a buffer's or the store's directory. Used by buffer
 * recovery for spill segments and by the store for chunks.
 *
 * <p>An app dir and the quarantine cannot clash, even for an app named {@code quarantine}: an app's
 * files lie directly in its dir, quarantined files one level deeper.
 *
 * <p>Bounds (G1): at most {@value #MAX_FILES} files and {@code maxBytes} bytes; beyond them the oldest
 * quarantined files are deleted first (logged), and a file larger than {@code maxBytes} on its own is
 * deleted instead of kept. Floor (G4): nothing is copied when the filesystem would fall below its
 * floor ({@code mayWrite}); moves write nothing. Thread-safe.
 */
public final class Quarantine {
    private static final Logger log = LoggerFactory.getLogger(Quarantine.class);

    /** The quarantine's directory name inside a buffer's or the store's directory. */
    public static final String DIR = "quarantine";

    /** Quarantined files kept at most. */
    public static final int MAX_FILES = 32;

    private final Path parent;
    private final Path root;
    private final long maxBytes;
    private final LongPredicate mayWrite;

    /**
     * @param parent the buffer's or the store's directory
     * @param maxBytes bytes of quarantined files kept at most
     * @param mayWrite whether that many more bytes keep the filesystem above its free-space floor
     */
    public Quarantine(Path parent, long maxBytes, LongPredicate mayWrite) {
        this.parent = parent;
        this.root = parent.resolve(DIR);
        this.maxBytes = maxBytes;
        this.mayWrite = mayWrite;
    }

    /** Whether recovery may write {@code bytes} more to this filesystem (its floor allows it). */
    public boolean mayWrite(long bytes) {
        return mayWrite.test(bytes);
    }

    public Path root() {
        return root;
    }

    /** How a quarantined file is named in logs and markers: relative to the buffer's or store's dir. */
    public String describe(@Nullable Path quarantined) {
        return quarantined == null
                ? "deleted (over the quarantine's bounds)"
                : parent.relativize(quarantined).toString();
    }

    /** Moves {@code file} to {@code quarantine/<app>/}; returns where it went, or null if it was deleted. */
    public synchronized @Nullable Path move(Path file, String app) throws IOException {
        long size = Files.size(file);
        if (size > maxBytes) {
            Files.deleteIfExists(file);
            log.warn("{}: {} bytes, over the quarantine's {} bytes on its own: deleted", file, size, maxBytes);
            return null;
        }
        Path to = target(app, file.getFileName().toString());
        Files.move(file, to, StandardCopyOption.ATOMIC_MOVE);
        enforce(to);
        return to;
    }

    /**
     * Like {@link #move}, but never fails: if the file cannot be moved it is deleted (logged), so that
     * damage already counted is not found and counted again. Returns where it went, or null.
     */
    public @Nullable Path moveOrDelete(Path file, String app) {
        try {
            return move(file, app);
        } catch (IOException e) {
            log.warn("cannot move {} to the quarantine, deleting it: {}", file, e.toString());
            try {
                Files.deleteIfExists(file);
            } catch (IOException again) {
                log.error("cannot delete {} either: {}", file, again.toString());
            }
            return null;
        }
    }

    /** Copies {@code file} to {@code quarantine/<app>/}; returns the copy, or null if none was kept. */
    public synchronized @Nullable Path copy(Path file, String app) throws IOException {
        return copyRange(file, app, 0, Files.size(file), file.getFileName().toString());
    }

    /** Copies bytes {@code [from, to)} of {@code file} as {@code quarantine/<app>/<name>}; null if not kept. */
    public synchronized @Nullable Path copyRange(Path file, String app, long from, long to, String name)
            throws IOException {
        if (to - from > maxBytes) {
            log.warn("{}: {} damaged bytes, over the quarantine's {} bytes: not kept", file, to - from, maxBytes);
            return null;
        }
        if (!mayWrite.test(to - from)) {
            log.warn("{}: {} damaged bytes not kept: the filesystem is at its free-space floor", file, to - from);
            return null;
        }
        Path target = target(app, name);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long at = from;
            while (at < to) {
                long n = in.transferTo(at, to - at, out);
                if (n <= 0) {
                    break;
                }
                at += n;
            }
        }
        enforce(target);
        return target;
    }

    private Path target(String app, String name) throws IOException {
        Path d = root.resolve(app);
        Files.createDirectories(d);
        Path to = d.resolve(name);
        for (int i = 1; Files.exists(to); i++) {
            to = d.resolve(name + "." + i);
        }
        return to;
    }

    /** Deletes the oldest quarantined files beyond the bounds, never {@code keep}. */
    private void enforce(Path keep) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(Files::isRegularFile).forEach(files::add);
        }
        files.sort(Comparator.comparing((Path p) -> {
                    try {
                        return Files.getLastModifiedTime(p).toMillis();
                    } catch (IOException e) {
                        return 0L;
                    }
                })
                .thenComparing(Comparator.naturalOrder()));
        long bytes = 0;
        for (Path p : files) {
            bytes += Files.size(p);
        }
        int n = files.size();
        for (Path p : files) {
            if (n <= MAX_FILES && bytes <= maxBytes) {
                break;
            }
            if (p.equals(keep)) {
                continue;
            }
            long size = Files.size(p);
            Files.deleteIfExists(p);
            log.warn("quarantine {}: deleted its oldest file {} to stay within its bounds", root, p);
            n--;
            bytes -= size;
        }
    }
}
