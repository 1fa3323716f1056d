package io.spillway.input.tail;

import io.spillway.thread.NamedThreadFactory;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the tail input's roots for new directories and files (inotify on Linux, through the JDK's
 * {@link WatchService}) and wakes the polling thread at once. It never reads a file itself: the
 * polling round does everything, so this only shortens the time to the next round.
 *
 * <p>Each root is watched with its depth: the directories down to the one holding log files (docker
 * {@code <id>/}: 1; CRI {@code <pod>/<container>/}: 2). A directory created under a watched one is
 * registered at once (before the wake-up), then listed, so a file created before its registration is
 * still seen by the round the wake-up starts. Bound: at most {@code maxDirs} directories are watched
 * (inotify watches are a per-user kernel resource); past it, new ones are found by the next scan.
 * Deleted directories drop their watch keys by themselves.
 *
 * <p>Thread-safety: one daemon thread ({@code input-tail-watch}) owns the service; {@link #close} from
 * any thread ends it.
 */
final class DirectoryWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryWatch.class);

    private final WatchService service;
    private final Map<WatchKey, Integer> depthLeft = new HashMap<>();
    private final int maxDirs;
    private final Consumer<Path> onFile;
    private final Runnable wake;
    private final Thread thread;

    private DirectoryWatch(WatchService service, int maxDirs, Consumer<Path> onFile, Runnable wake) {
        this.service = service;
        this.maxDirs = maxDirs;
        this.onFile = onFile;
        this.wake = wake;
        this.thread = NamedThreadFactory.daemon("input-tail-watch").newThread(this::run);
    }

    /**
     * Starts watching, or returns null (polling goes on alone) when the file system offers no watch.
     *
     * @param roots each root with how many directory levels below it hold log files
     * @param onFile called with each new regular file's path (on the watch thread)
     * @param wake called after every batch of events
     */
    static @Nullable DirectoryWatch start(Map<Path, Integer> roots, int maxDirs, Consumer<Path> onFile, Runnable wake) {
        WatchService s;
        try {
            s = FileSystems.getDefault().newWatchService();
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warn("tail: no directory watch ({}); new files are found by the scan only", e.toString());
            return null;
        }
        DirectoryWatch w = new DirectoryWatch(s, maxDirs, onFile, wake);
        for (Map.Entry<Path, Integer> r : roots.entrySet()) {
            if (Files.isDirectory(r.getKey())) {
                w.registerTree(r.getKey(), r.getValue());
            }
        }
        w.thread.start();
        return w;
    }

    /** Registers {@code dir} and, {@code depth} levels down, the directories already in it. */
    private void registerTree(Path dir, int depth) {
        if (!register(dir, depth) || depth == 0) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path sub : ds) {
                registerTree(sub, depth - 1);
            }
        } catch (IOException | java.nio.file.DirectoryIteratorException e) {
            // gone meanwhile, or unreadable: the scan reports it
        }
    }

    private boolean register(Path dir, int depth) {
        if (depthLeft.size() >= maxDirs) {
            return false;
        }
        try {
            WatchKey k = dir.register(service, StandardWatchEventKinds.ENTRY_CREATE);
            depthLeft.put(k, depth);
            return true;
        } catch (IOException | ClosedWatchServiceException e) {
            return false;
        }
    }

    private void run() {
        while (true) {
            WatchKey key;
            try {
                key = service.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            try {
                handle(key);
            } catch (RuntimeException e) {
                // A directory vanishing mid-listing and the like: the scan finds what was missed.
                LOG.warn("tail: directory watch: {}", e.toString());
            }
            wake.run();
        }
    }

    private void handle(WatchKey key) {
        Integer depth = depthLeft.get(key);
        Path dir = (Path) key.watchable();
        for (WatchEvent<?> e : key.pollEvents()) {
            if (e.kind() == StandardWatchEventKinds.OVERFLOW || depth == null) {
                continue; // the round lists everything anyway
            }
            Path child = dir.resolve((Path) e.context());
            if (depth > 0 && Files.isDirectory(child)) {
                registerTree(child, depth - 1);
            } else if (depth == 0) {
                onFile.accept(child);
            }
        }
        if (!key.reset()) {
            depthLeft.remove(key); // the directory is gone
        }
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            LOG.debug("tail: closing the directory watch: {}", e.toString());
        }
        thread.interrupt();
    }
}
