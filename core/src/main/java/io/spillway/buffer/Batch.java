package io.spillway.buffer;

import io.spillway.record.LogRecord;
import java.util.List;

/**
 * Records taken from a buffer for delivery. They stay the buffer's responsibility until the batch is
 * {@linkplain Buffer#commit committed} (delivered) or {@linkplain Buffer#release released} (retry).
 *
 * @param records in per-app FIFO order
 * @param bytes the sum of {@link LogRecord#sizeBytes()}
 */
public record Batch(List<LogRecord> records, long bytes) {
    public Batch {
        records = List.copyOf(records);
    }

    public int size() {
        return records.size();
    }
}
