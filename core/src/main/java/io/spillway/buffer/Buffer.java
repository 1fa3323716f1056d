package io.spillway.buffer;

import io.spillway.admission.Admission;
import io.spillway.admission.Receipt;
import io.spillway.record.LogRecord;
import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
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
     * Offers records whose sender waits for an acknowledgement (forward {@code ack}, HTTP 2xx; G5).
     * Each record is admitted or refused exactly as by {@link #offer}; {@code onDurable} is then called
     * exactly once, with the admissions in order, when every accepted record is as durable as this
     * buffer can make it. It may run before this method returns, on the calling thread, or later on
     * another thread; it must not block.
     *
     * <p>This default implementation holds records in memory only: it calls back at once with {@code
     * durable = false}. Such records do not survive a crash of the process.
     */
    default void offerDurable(List<LogRecord> records, Consumer<Receipt> onDurable) {
        List<Admission> admissions = new ArrayList<>(records.size());
        for (LogRecord r : records) {
            admissions.add(offer(r));
        }
        onDurable.accept(new Receipt(admissions, false));
    }

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
