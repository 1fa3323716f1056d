package io.spillway.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spillway.FuzzRecords;
import io.spillway.record.LogRecord;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;

/** Coverage-guided fuzzing of {@link RecordFormat}, the stored record's byte form. */
class RecordFormatFuzzTest {
    /**
     * Any bytes, given between poison: decoding and finding the message fail only with {@link
     * IllegalArgumentException}, read nothing outside the record, agree with each other, and a record
     * that decodes encodes to bytes that decode to the same record.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void decode_anyBytes_typedErrorOrStableRecord(byte[] data) {
        byte[] padded = new byte[data.length + 8];
        Arrays.fill(padded, (byte) 0x7f);
        System.arraycopy(data, 0, padded, 4, data.length);
        LogRecord r;
        try {
            r = RecordFormat.decode(padded, 4, data.length, "app");
        } catch (IllegalArgumentException e) {
            return;
        }
        assertThat(RecordFormat.decode(data, 0, data.length, "app")).isEqualTo(r);
        long span = RecordFormat.messageSpan(padded, 4, 4 + data.length);
        int start = (int) span;
        int len = (int) (span >>> 32);
        assertThat(Arrays.copyOfRange(padded, start, start + len)).isEqualTo(r.messageBytes());
        assertThat(RecordFormat.timestamp(padded, 4)).isEqualTo(r.timestamp());
        GrowableBuffer out = new GrowableBuffer(16);
        RecordFormat.encode(r, r.messageBytes(), out);
        assertThat(RecordFormat.decode(out.array(), 0, out.size(), "app")).isEqualTo(r);
    }

    /** Any record encodes to bytes that decode to an equal record, with the message where messageSpan says. */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void encode_anyRecord_roundTrip(FuzzedDataProvider d) {
        LogRecord r = FuzzRecords.record(d, "app");
        GrowableBuffer out = new GrowableBuffer(16);
        out.put(0x55); // records are found inside larger buffers
        RecordFormat.encode(r, r.messageBytes(), out);
        int len = out.size() - 1;
        assertThat(RecordFormat.decode(out.array(), 1, len, "app")).isEqualTo(r);
        long span = RecordFormat.messageSpan(out.array(), 1, 1 + len);
        assertThat(Arrays.copyOfRange(out.array(), (int) span, (int) span + (int) (span >>> 32)))
                .isEqualTo(r.messageBytes());
    }
}
