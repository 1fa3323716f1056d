package io.spillway.admission;

/**
 * What became of a record handed to the pipeline or a buffer: accepted, or dropped with the reason
 * the drop ledger counts it under ({@code rate_limit}, {@code shed}, {@code floor}, …). Callers that
 * answer a peer (HTTP 429, forward acks) decide from it; nobody throws for a full buffer.
 */
public record Admission(boolean accepted, String reason) {
    public static final Admission ACCEPTED = new Admission(true, "");

    public static Admission dropped(String reason) {
        return new Admission(false, reason);
    }
}
