package io.spillway.flood;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The lines flood sends, and how it recognises them when reading back. Each message starts with
 * {@code flood seq=N sent=T} (T: nanoseconds since the run started), which survives the guard: it
 * holds no redaction trigger and sits before any truncation point. Public so the store benchmarks
 * can measure exactly these lines. Stateless.
 */
public final class Lines {
    private Lines() {}

    static final String MARK = "flood seq=";

    /** A quiet app's line: a short request log line. */
    static String quiet(long seq, long sentNanos, int targetBytes) {
        StringBuilder sb = new StringBuilder(targetBytes + 32);
        sb.append(MARK).append(seq).append(" sent=").append(sentNanos);
        sb.append(" Completed 200 OK in 12ms (Views: 3.1ms | ActiveRecord: 1.2ms)");
        pad(sb, targetBytes, 'q');
        return sb.toString();
    }

    /**
     * The noisy app's line: what the error page logged in the outage, a Rails {@code Parameters:}
     * dump of sensor readings with an API key and a password, about {@code targetBytes} long.
     */
    public static String noisy(long seq, long sentNanos, int targetBytes) {
        StringBuilder sb = new StringBuilder(targetBytes + 64);
        sb.append(MARK).append(seq).append(" sent=").append(sentNanos);
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

    private static void pad(StringBuilder sb, int targetBytes, char c) {
        if (sb.length() < targetBytes) {
            sb.append(' ');
            while (sb.length() < targetBytes) {
                sb.append(c);
            }
        }
    }

    /** RFC 5424 message framed with RFC 6587 octet counting. */
    static byte[] syslogFrame(String app, String host, String message) {
        byte[] msg = ("<14>1 - " + host + " " + app + " - - - " + message).getBytes(StandardCharsets.UTF_8);
        byte[] len = (msg.length + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] frame = new byte[len.length + msg.length];
        System.arraycopy(len, 0, frame, 0, len.length);
        System.arraycopy(msg, 0, frame, len.length, msg.length);
        return frame;
    }

    /** A parsed mark: sequence number and send time. */
    record Mark(long seq, long sentNanos) {}

    /** Finds the mark in a line read back from an output; null when the line is not flood's. */
    static @Nullable Mark parse(CharSequence line) {
        int at = indexOf(line, MARK);
        if (at < 0) {
            return null;
        }
        int i = at + MARK.length();
        long seq = 0;
        int digits = 0;
        while (i < line.length() && Character.isDigit(line.charAt(i)) && digits < 18) {
            seq = seq * 10 + (line.charAt(i++) - '0');
            digits++;
        }
        if (digits == 0 || !startsWith(line, i, " sent=")) {
            return null;
        }
        i += 6;
        long sent = 0;
        digits = 0;
        while (i < line.length() && Character.isDigit(line.charAt(i)) && digits < 18) {
            sent = sent * 10 + (line.charAt(i++) - '0');
            digits++;
        }
        return digits == 0 ? null : new Mark(seq, sent);
    }

    private static int indexOf(CharSequence s, String needle) {
        outer:
        for (int i = 0; i + needle.length() <= s.length(); i++) {
            for (int j = 0; j < needle.length(); j++) {
                if (s.charAt(i + j) != needle.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static boolean startsWith(CharSequence s, int at, String prefix) {
        if (at + prefix.length() > s.length()) {
            return false;
        }
        for (int j = 0; j < prefix.length(); j++) {
            if (s.charAt(at + j) != prefix.charAt(j)) {
                return false;
            }
        }
        return true;
    }
}
