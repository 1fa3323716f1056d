package io.spillway.pipeline;

import io.spillway.record.LogRecord;

/** Where inputs deliver decoded records. Implementations are thread-safe and never block for long. */
@FunctionalInterface
public interface RecordSink {
    Admission accept(LogRecord record);
}
