package io.spillway.pipeline;

import io.spillway.record.LogRecord;
import org.jspecify.annotations.Nullable;

/**
 * A record transform run on the input's thread (guard stages: truncate, redact, rate limit). Must be
 * thread-safe: many inputs call it at once.
 */
public interface Stage {
    /** Short, stable name; also the drop reason when this stage drops a record. */
    String name();

    /**
     * Returns the record to pass on (the same instance when unchanged), or null when the record is
     * dropped, in which case the stage has already reported it to the drop ledger.
     */
    @Nullable
    LogRecord apply(LogRecord record);
}
