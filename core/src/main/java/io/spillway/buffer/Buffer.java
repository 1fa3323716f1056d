package io.spillway.buffer;

import io.spillway.pipeline.Admission;
import io.spillway.record.LogRecord;
import java.io.Closeable;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The bounded store between the pipeline and one output (DESIGN.md §7).
 *
 * <p>Contract: {@link #offer} never blocks for long and never throws for a full buffer; it answers
 * with an {@link Admission} and reports every record it refuses or sheds to the drop ledger. At most
 * one batch is outstanding at a time (one consumer: the output's worker); {@link #poll} returns null
 * while one is. Thread-safe for many producers and one consumer.
 */
public interface Buffer extends Closeable {
    Admission offer(LogRecord record);

    /**
     * Waits up to {@code wait} for records and takes up to {@code maxRecords} / {@code maxBytes}
     * (at least one record, even a larger one). Null when nothing arrived in time.
     */
    @Nullable
    Batch poll(int maxRecords, long maxBytes, Duration wait) throws InterruptedException;

    /** The batch was delivered: forget it. */
    void commit(Batch batch);

    /** The batch was not delivered: it is handed out again by the next poll, first. */
    void release(Batch batch);

    /** Records held, including an outstanding batch. */
    long records();

    /** Bytes held ({@link LogRecord#sizeBytes()}), including an outstanding batch. */
    long bytes();

    @Override
    default void close() {}
}
