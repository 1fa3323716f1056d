package io.spillway.buffer;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Log records built from fuzz data, for the round trips of the buffer's fuzz tests. */
final class FuzzRecords {
    private FuzzRecords() {}

    static LogRecord record(FuzzedDataProvider d) {
        Map<String, String> fields = new HashMap<>();
        int n = d.consumeInt(0, 4);
        for (int i = 0; i < n; i++) {
            fields.put(text(d, 16), text(d, 32));
        }
        return new LogRecord(
                d.consumeLong(),
                text(d, 32),
                text(d, 32),
                text(d, 16),
                d.pickValue(LogStream.values()),
                d.pickValue(Severity.values()),
                d.consumeBytes(d.consumeInt(0, 200)),
                fields);
    }

    /** Text as it survives UTF-8 (no unpaired surrogates): what a record's strings are in practice. */
    static String text(FuzzedDataProvider d, int max) {
        return new String(d.consumeString(max).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
