package io.spillway.bench;

import io.spillway.record.LogRecord;
import io.spillway.record.LogStream;
import io.spillway.record.Severity;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Lines like those of {@code spillway flood} (the 2015 outage replay): quiet apps' short request
 * lines and the noisy error page's ~7 KB Rails {@code Parameters:} dumps. Unlike the flood generator,
 * sensor readings here are random, so the compression figures are not flattered by a repeating
 * pattern.
 */
final class StoreLines {
    private StoreLines() {}

    static String quiet(long seq, SplittableRandom rnd) {
        StringBuilder sb = new StringBuilder(224);
        sb.append("I, [2015-07-29T03:00:").append(seq % 60).append(".").append(rnd.nextInt(1_000_000));
        sb.append(" #").append(1000 + rnd.nextInt(64)).append("]  INFO -- : Completed 200 OK in ");
        sb.append(rnd.nextInt(200))
                .append("ms (Views: ")
                .append(rnd.nextInt(50))
                .append('.')
                .append(rnd.nextInt(10));
        sb.append("ms | ActiveRecord: ").append(rnd.nextInt(30)).append('.').append(rnd.nextInt(10));
        sb.append("ms) request_id=").append(Long.toHexString(rnd.nextLong()));
        sb.append(" path=/api/v1/items/").append(rnd.nextInt(100_000));
        return sb.toString();
    }

    static String noisy(long seq, SplittableRandom rnd, int targetBytes) {
        StringBuilder sb = new StringBuilder(targetBytes + 64);
        sb.append("Parameters: {\"utf8\"=>\"✓\", \"api_key\"=>\"[REDACTED]\", \"password\"=>\"[REDACTED]\", ");
        sb.append("\"device\"=>\"sensor-").append(seq % 977).append("\", \"readings\"=>[");
        long t = 1_438_131_600L + rnd.nextInt(86_400);
        while (sb.length() < targetBytes - 40) {
            sb.append("{\"t\"=>")
                    .append(t++)
                    .append(", \"v\"=>")
                    .append(rnd.nextInt(1000))
                    .append('.');
            sb.append(rnd.nextInt(10)).append("}, ");
        }
        sb.append("{\"t\"=>0, \"v\"=>0}]}");
        return sb.toString();
    }

    /** The noisy line exactly as {@code spillway flood} generates it (readings follow a fixed pattern). */
    static String floodGenerator(long seq, int targetBytes) {
        StringBuilder sb = new StringBuilder(targetBytes + 64);
        sb.append("flood seq=").append(seq).append(" sent=").append(seq * 66_667);
        sb.append(" Parameters: {\"utf8\"=>\"✓\", \"api_key\"=>\"sk_live_4f9a8b7c6d5e\", ");
        sb.append("\"password\"=>\"hunter2\", \"device\"=>\"sensor-")
                .append(seq % 977)
                .append("\", \"readings\"=>[");
        int i = 0;
        while (sb.length() < targetBytes - 40) {
            sb.append("{\"t\"=>")
                    .append(1_438_131_600 + i)
                    .append(", \"v\"=>")
                    .append((i * 37) % 1000)
                    .append('.')
                    .append(i % 10)
                    .append("}, ");
            i++;
        }
        sb.append("{\"t\"=>0, \"v\"=>0}]}");
        return sb.toString();
    }

    static LogRecord record(String app, long tsNanos, String message) {
        return new LogRecord(
                tsNanos,
                "node-7",
                app,
                "3f4e1a2b9c8d",
                LogStream.STDOUT,
                Severity.INFO,
                message.getBytes(StandardCharsets.UTF_8),
                Map.of());
    }
}
