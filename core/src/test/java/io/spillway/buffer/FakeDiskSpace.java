package io.spillway.buffer;

import io.spillway.space.DiskSpace;

/** A filesystem whose free space a test sets. */
final class FakeDiskSpace implements DiskSpace {
    volatile long usable;
    volatile long total;

    FakeDiskSpace(long usable, long total) {
        this.usable = usable;
        this.total = total;
    }

    @Override
    public long usableBytes() {
        return usable;
    }

    @Override
    public long totalBytes() {
        return total;
    }
}
