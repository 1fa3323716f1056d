package io.spillway.guard;

import io.spillway.pipeline.Stage;
import io.spillway.record.LogRecord;
import java.util.HashMap;
import java.util.Map;

/**
 * Removes secrets from messages before they leave the host (DESIGN.md §1, step 1).
 *
 * <p>Built-in rules ({@code redact.builtin: true}), applied in this order:
 *
 * <ol>
 *   <li>Rails {@code Parameters: {...}} dumps: every value becomes {@code "[FILTERED]"}, keys and the
 *       shape of nested hashes and arrays stay ({@link RailsParameters});
 *   <li>{@code Authorization: <scheme> <credentials>} header values;
 *   <li>{@code Bearer <token>} anywhere;
 *   <li>values of sensitive keys in JSON ({@code "password": "x"}) and Ruby-hash ({@code "password"=>"x"})
 *       form;
 *   <li>values of sensitive keys in {@code key=value} and query-string ({@code ?api_key=x&}) form.
 * </ol>
 *
 * A key is sensitive when it contains {@code password}, {@code passwd}, {@code secret}, {@code token},
 * {@code api_key}, {@code api-key}, {@code apikey} or {@code authorization}, in any case: so
 * {@code access_token}, {@code client_secret} and {@code user[password]} are, and so is
 * {@code token_count} — erring on the side of hiding. User rules ({@code redact.rules}) run after.
 *
 * <p>A changed record gets the field {@code redacted=true}, so a reader can tell that the text differs
 * from what the app wrote; an unchanged record is returned as the same instance. Bytes outside the
 * replaced spans are kept exactly, also bytes that are not valid UTF-8.
 *
 * <p>Cost ({@link BuiltinRules}): a line without any trigger word costs one read of its bytes, 8 at a
 * time, and no allocation; a triggered line costs one more scan from its first trigger word, with no
 * regex and no decoding to a String, and one output array if something changed. Runs last in the
 * guard ({@link Guard}): after {@link TruncateStage}, so a line is at most {@code max_message} bytes
 * (a secret cut in half by truncation is still filtered: an unterminated value runs to the end), and
 * after {@link RateLimitStage}, so a flood's excess costs no redaction.
 *
 * <p>Thread-safe; never drops a record.
 */
public final class RedactStage implements Stage {
    public static final String NAME = "redact";
    public static final String FIELD = "redacted";

    private final PerApp<Redactor> redactors;

    public RedactStage(GuardConfig config) {
        this.redactors = new PerApp<>(config, s -> Redactor.of(s.redact()));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public LogRecord apply(LogRecord record) {
        Redactor redactor = redactors.get(record.app());
        if (redactor == Redactor.OFF) {
            return record;
        }
        byte[] out = redactor.redact(record.messageBytes());
        if (out == null) {
            return record;
        }
        Map<String, String> fields = new HashMap<>(record.fields());
        fields.put(FIELD, "true");
        return record.withMessage(out).withFields(fields);
    }
}
