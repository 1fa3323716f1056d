package io.spillway.guard;

import io.spillway.admission.Drops;
import io.spillway.pipeline.Stage;
import java.util.List;

/**
 * The guard's stages built from one {@link GuardConfig}, in pipeline order: truncate, repeat, rate
 * limit, redact.
 *
 * <ul>
 *   <li>Truncation comes first so that no later stage, redaction above all, handles more than
 *       {@code max_message} bytes of a line.
 *   <li>Repeat suppression comes before the rate limiter so that suppressed repeats do not spend the
 *       app's budget.
 *   <li>The rate limiter comes before redaction, the one expensive stage, so that a flood's excess is
 *       dropped before any redaction work is spent on it: an app cannot buy CPU with lines it is not
 *       allowed to keep. It therefore charges a line's bytes after truncation and before redaction
 *       (a redacted value may be a few bytes longer or shorter than the original).
 *   <li>Redaction comes last and sees only lines that will be kept.
 * </ul>
 *
 * <p>All four stages are always present: each is cheap when off for an app, and an app override may
 * turn on what is off globally. The rate limiter is kept apart for HTTP ingest's {@code 429} answers.
 */
public record Guard(TruncateStage truncate, RedactStage redact, RepeatStage repeat, RateLimitStage rateLimit) {

    /**
     * Builds the stages. Drops go to {@code drops}, normally the {@link DropLedger}; when it is one, the
     * ledger learns to describe {@code rate_limit} drops with the app's limit ({@code rate limit 1 MiB/s}).
     */
    public static Guard create(GuardConfig config, Drops drops, Ticker ticker) {
        RateLimitStage rateLimit = new RateLimitStage(config, drops, ticker);
        if (drops instanceof DropLedger ledger) {
            ledger.describeReason(RateLimitStage.REASON, rateLimit::describe);
            ledger.describeReason(RepeatStage.REASON, app -> "repeated lines");
        }
        return new Guard(
                new TruncateStage(config), new RedactStage(config), new RepeatStage(config, drops, ticker), rateLimit);
    }

    /** The stages in pipeline order (see the class comment for why this order). */
    public List<Stage> stages() {
        return List.of(truncate, repeat, rateLimit, redact);
    }
}
