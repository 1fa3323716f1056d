package io.spillway.store;

import io.spillway.record.LogRecord;

/**
 * A record read back from the store, with the opaque cursor that names its position (usable as a
 * query's {@code cursor} to continue after it, and as an SSE event id).
 */
public record StoredRecord(String cursor, LogRecord record) {}
