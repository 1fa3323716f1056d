package io.spillway.space;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The free and total space of one filesystem, as {@code statvfs} reports it. An interface so that
 * tests can simulate a filling disk (G4) without filling one. Each call is one system call: callers
 * on a hot path go through {@link SpaceAccountant}, which asks at a bounded rate.
 */
public interface DiskSpace {
    /** Bytes this process could still write ({@link FileStore#getUsableSpace()}). */
    long usableBytes() throws IOException;

    /** The filesystem's size ({@link FileStore#getTotalSpace()}), for percentage floors. */
    long totalBytes() throws IOException;

    /** The allocation unit: a write can take up to one more of these than its length. */
    default long blockBytes() throws IOException {
        return 4096;
    }

    /** The filesystem's identity: two directories on one filesystem give equal keys. */
    default Object filesystemKey() throws IOException {
        return this;
    }

    /**
     * The real filesystem holding {@code dir}; when {@code dir} does not exist yet, the filesystem of
     * its nearest existing ancestor, which is where it will be created.
     */
    static DiskSpace of(Path dir) {
        return new DiskSpace() {
            private volatile FileStore store;

            private FileStore store() throws IOException {
                FileStore s = store;
                if (s == null) {
                    Path existing = dir.toAbsolutePath();
                    while (!Files.isDirectory(existing) && existing.getParent() != null) {
                        existing = existing.getParent();
                    }
                    s = Files.getFileStore(existing);
                    if (existing.equals(dir.toAbsolutePath())) {
                        store = s; // an ancestor's answer may change once dir is made (a mount point)
                    }
                }
                return s;
            }

            @Override
            public long usableBytes() throws IOException {
                try {
                    return store().getUsableSpace();
                } catch (IOException e) {
                    store = null; // removed, replaced or unmounted: look it up again, via an ancestor
                    return store().getUsableSpace();
                }
            }

            @Override
            public long totalBytes() throws IOException {
                try {
                    return store().getTotalSpace();
                } catch (IOException e) {
                    store = null;
                    return store().getTotalSpace();
                }
            }

            @Override
            public long blockBytes() throws IOException {
                long b = store().getBlockSize();
                return b > 0 ? b : 4096;
            }

            @Override
            public Object filesystemKey() throws IOException {
                return store();
            }

            @Override
            public String toString() {
                return dir.toString();
            }
        };
    }
}
