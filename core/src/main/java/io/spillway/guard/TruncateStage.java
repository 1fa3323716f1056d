package io.spillway.guard;

import io.spillway.pipeline.Stage;
import io.spillway.record.LogRecord;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Cuts messages longer than {@code max_message} bytes (G1: a line has a bound).
 *
 * <p>The cut falls on a UTF-8 character boundary: when the byte at the limit continues a multi-byte
 * sequence, the cut moves back to that sequence's first byte (at most 3 bytes), so a valid message stays
 * valid. The kept prefix is followed by {@code …[truncated N bytes]} and the record gets the field
 * {@code truncated=N}, N being the number of message bytes removed. The result is thus at most
 * {@code max_message} plus the suffix's length. A message within the limit is returned as the same
 * instance, with no allocation. Nothing is ever dropped here.
 *
 * <p>Thread-safe and stateless apart from the per-app settings table.
 */
public final class TruncateStage implements Stage {
    public static final String NAME = "truncate";
    public static final String FIELD = "truncated";

    /** Per app: the limit in bytes, or {@link Integer#MAX_VALUE} when truncation is off. */
    private final PerApp<Integer> limits;

    public TruncateStage(GuardConfig config) {
        this.limits = new PerApp<>(
                config,
                s -> s.truncate().enabled() ? (int) s.truncate().maxMessage().bytes() : Integer.MAX_VALUE);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public LogRecord apply(LogRecord record) {
        int length = record.messageLength();
        // Cheapest test first: most lines are far below any configured limit.
        if (length <= 64) {
            return record;
        }
        int limit = limits.get(record.app());
        if (length <= limit) {
            return record;
        }
        byte[] message = record.messageBytes();
        int cut = cutPoint(message, limit);
        int removed = length - cut;
        byte[] suffix = suffix(removed);
        byte[] out = new byte[cut + suffix.length];
        System.arraycopy(message, 0, out, 0, cut);
        System.arraycopy(suffix, 0, out, cut, suffix.length);
        Map<String, String> fields = new HashMap<>(record.fields());
        fields.put(FIELD, Integer.toString(removed));
        return record.withMessage(out).withFields(fields);
    }

    /** The suffix appended after {@code removed} bytes were cut. */
    static byte[] suffix(int removed) {
        return ("…[truncated " + removed + " bytes]").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The largest cut {@code <= limit} that does not split a UTF-8 sequence. Requires
     * {@code limit < message.length}. In invalid input (more than 3 continuation bytes in a row, or
     * continuation bytes without a lead byte) there is no character to protect and the cut stays at
     * the limit.
     */
    static int cutPoint(byte[] message, int limit) {
        int i = limit;
        // Walk back over at most 3 continuation bytes (10xxxxxx) to the lead byte of their sequence.
        while (i > 0 && limit - i < 3 && (message[i] & 0xC0) == 0x80) {
            i--;
        }
        if (i < limit && (message[i] & 0xC0) == 0xC0) {
            return i;
        }
        return limit;
    }
}
