package io.spillway.guard;

import io.spillway.pipeline.Drops;
import io.spillway.pipeline.Stage;
import java.util.List;

/**
 * The guard's stages built from one {@link GuardConfig}, in pipeline order: truncate, redact, repeat,
 * rate limit. Truncation comes first so that redaction never scans more than {@code max_message} bytes;
 * repeat suppression comes before the rate limiter so that suppressed repeats do not spend the app's
 * budget; rate limiting comes last so that it charges the bytes that will actually be stored.
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

    public List<Stage> stages() {
        return List.of(truncate, redact, repeat, rateLimit);
    }
}
