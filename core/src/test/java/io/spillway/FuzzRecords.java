package io.spillway;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Log records built from fuzz data, for the round trips of every module's fuzz tests (buffer, store,
 * the forward input's journal); shared through core's test jar.
 */
public final class FuzzRecords {
    private FuzzRecords() {}

    /** A record of any strings, message, stream, severity and up to 4 fields. */
    public static LogRecord record(FuzzedDataProvider d) {
        return record(d, (java.util.function.Function<FuzzedDataProvider, String>) p -> text(p, 32));
    }

    /** A record of app {@code app}, its other parts as {@link #record(FuzzedDataProvider)} makes them. */
    public static LogRecord record(FuzzedDataProvider d, String app) {
        return record(d, (java.util.function.Function<FuzzedDataProvider, String>) p -> app);
    }

    /** The one shape; {@code app} is asked at the point where the app's bytes are read, so both agree. */
    private static LogRecord record(FuzzedDataProvider d, java.util.function.Function<FuzzedDataProvider, String> app) {
        Map<String, String> fields = new HashMap<>();
        int n = d.consumeInt(0, 4);
        for (int i = 0; i < n; i++) {
            fields.put(text(d, 16), text(d, 32));
        }
        // Arguments are evaluated left to right: the same order of reads as before.
        return new LogRecord(
                d.consumeLong(),
                text(d, 32),
                app.apply(d),
                text(d, 16),
                d.pickValue(LogStream.values()),
                d.pickValue(Severity.values()),
                d.consumeBytes(d.consumeInt(0, 200)),
                fields);
    }

    /** Text as it survives UTF-8 (no unpaired surrogates): what a record's strings are in practice. */
    public static String text(FuzzedDataProvider d, int max) {
        return new String(d.consumeString(max).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
