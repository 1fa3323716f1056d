package io.spillway.output.file;

import io.spillway.output.file.FileOutputConfig.Format;
import io.spillway.record.LogRecord;

/**
 * Encodes one record as one line, terminating {@code \n} included. Every implementation keeps the
 * invariant the files rely on: the encoded bytes contain exactly one {@code \n}, at the end, and are
 * valid UTF-8. Not thread-safe (encoders keep scratch state).
 */
interface LineFormat {
    void encode(LogRecord record, LineBuffer out);

    static LineFormat of(Format format) {
        return switch (format) {
            case TEXT -> new TextLineFormat();
            case JSON -> new JsonLineFormat();
        };
    }
}
