package io.spillway.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.spillway.FuzzRecords;
import io.spillway.record.LogRecord;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Timeout;

/** Coverage-guided fuzzing of {@link RecordCodec}, the record form inside spill segments. */
class RecordCodecFuzzTest {
    /**
     * Any bytes: decoding fails only with {@link IllegalArgumentException} (what {@link Segment} turns
     * into a corrupt batch), never allocates more than the bytes given can hold, and a record it does
     * decode encodes to bytes that decode to the same record.
     */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void decode_anyBytes_typedErrorOrStableRecord(byte[] data) {
        LogRecord r;
        try {
            r = RecordCodec.decode(ByteBuffer.wrap(data));
        } catch (IllegalArgumentException e) {
            return;
        }
        assertThat(r.messageLength()).isLessThanOrEqualTo(data.length);
        assertThat(RecordCodec.decode(ByteBuffer.wrap(RecordCodec.encode(r)))).isEqualTo(r);
    }

    /** Any record encodes to bytes that decode to an equal record, also inside a larger buffer. */
    @Timeout(10)
    @FuzzTest(maxDuration = "5m")
    void encode_anyRecord_roundTrip(FuzzedDataProvider d) {
        LogRecord r = FuzzRecords.record(d);
        byte[] e = RecordCodec.encode(r);
        assertThat(RecordCodec.decode(ByteBuffer.wrap(e))).isEqualTo(r);
        byte[] padded = new byte[e.length + 6];
        System.arraycopy(e, 0, padded, 3, e.length);
        assertThat(RecordCodec.decode(ByteBuffer.wrap(padded, 3, e.length).slice()))
                .isEqualTo(r);
    }
}
