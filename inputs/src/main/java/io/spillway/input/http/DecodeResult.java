package io.spillway.input.http;

import io.spillway.record.LogRecord;
import java.util.List;

/**
 * The records decoded from one request body, and what could not be decoded.
 *
 * @param records in body order
 * @param malformed lines or frames that did not parse (skipped)
 * @param tooLarge lines or frames over {@code max_record} (skipped)
 * @param firstError a short description of the first problem, for the response and the log; empty if none
 * @param overLimit the body held more than {@code max_records} records (the caller answers 413)
 */
public record DecodeResult(List<LogRecord> records, int malformed, int tooLarge, String firstError, boolean overLimit) {
    public DecodeResult {
        records = List.copyOf(records);
    }
}
