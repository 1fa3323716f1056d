package io.spillway.diskguard;

import io.spillway.config.DataSize;

/**
 * One container log file and how fast it grew over the last interval.
 *
 * @param file the log file
 * @param app the app that writes it (from the container's metadata, or its id)
 * @param bytesPerSecond growth over the last interval; 0 for a file seen for the first time
 * @param size its size now
 */
public record Writer(java.nio.file.Path file, String app, double bytesPerSecond, long size) {
    /** e.g. {@code 3.1 GB/min}. */
    public String rate() {
        return DataSize.human((long) (bytesPerSecond * 60)) + "/min";
    }

    /** e.g. {@code app sensors-api writes 3.1 GB/min to /var/lib/docker on node-7}. */
    public String describe(String filesystem, String host) {
        return "app " + app + " writes " + rate() + " to " + filesystem + " on " + host;
    }
}
