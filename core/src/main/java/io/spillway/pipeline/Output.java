package io.spillway.pipeline;

import io.spillway.record.LogRecord;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * A destination. Called from a single {@link OutputWorker} thread, so implementations need not be
 * thread-safe. {@link #write} either delivers the whole batch or throws; the worker then retries the
 * same batch with backoff (at least once, DESIGN.md §8).
 */
public interface Output extends Closeable {
    String name();

    default void start() throws IOException {}

    void write(List<LogRecord> batch) throws IOException;

    default void flush() throws IOException {}

    @Override
    default void close() throws IOException {}

    /** Where the output writes, for the start-up banner; empty when there is nothing to say. */
    default String describe() {
        return "";
    }
}
