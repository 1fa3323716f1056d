package io.spillway.buffer;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The free and total space of the filesystem the buffer spills to. An interface so that tests can
 * simulate a filling disk (G4) without filling one.
 */
public interface DiskSpace {
    /** Bytes this process could still write ({@link FileStore#getUsableSpace()}). */
    long usableBytes() throws IOException;

    /** The filesystem's size ({@link FileStore#getTotalSpace()}), for percentage floors. */
    long totalBytes() throws IOException;

    /** The real filesystem holding {@code dir} (which must exist when first asked). */
    static DiskSpace of(Path dir) {
        return new DiskSpace() {
            private volatile FileStore store;

            private FileStore store() throws IOException {
                FileStore s = store;
                if (s == null) {
                    s = Files.getFileStore(dir);
                    store = s;
                }
                return s;
            }

            @Override
            public long usableBytes() throws IOException {
                return store().getUsableSpace();
            }

            @Override
            public long totalBytes() throws IOException {
                return store().getTotalSpace();
            }
        };
    }
}
