package io.spillway.input.syslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.spillway.record.AppNames;
import io.spillway.record.LogRecord;

/** Helpers of the syslog fuzz tests. */
final class Poison {
    /** Bytes of poison on each side of the range a parser is given. */
    static final int PAD = 8;

    private Poison() {}

    /**
     * {@code bytes} with {@value #PAD} bytes of syslog's own punctuation on either side: a parser that
     * reads past its range sees a quote, a bracket or a space and decides differently.
     */
    static byte[] around(byte[] bytes) {
        byte[] out = new byte[bytes.length + 2 * PAD];
        for (int i = 0; i < PAD; i++) {
            byte p = (byte) (i % 3 == 0 ? '"' : i % 3 == 1 ? ']' : ' ');
            out[i] = p;
            out[out.length - 1 - i] = p;
        }
        System.arraycopy(bytes, 0, out, PAD, bytes.length);
        return out;
    }

    /** The bounds {@link SyslogDecoder} promises of every record. */
    static void checkBounds(LogRecord r, int inputLength) {
        assertThat(r.messageLength()).isLessThanOrEqualTo(inputLength);
        assertThat(r.fields()).hasSizeLessThanOrEqualTo(SyslogDecoder.MAX_FIELDS);
        assertThat(r.fields().values()).allMatch(v -> v.length() <= SyslogDecoder.MAX_FIELD_VALUE);
        assertThat(r.app()).matches("[A-Za-z0-9._-]{1," + AppNames.MAX_LENGTH + "}");
        assertThat(r.host()).isNotNull();
    }
}
