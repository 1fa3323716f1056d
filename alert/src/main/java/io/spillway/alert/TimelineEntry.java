package io.spillway.alert;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * One thing that happened to an incident. Immutable.
 *
 * @param seq the entry's number within its incident, from 1, increasing
 * @param time when it happened
 * @param type what happened
 * @param message one human line, e.g. {@code notified oncall-webhook (level 1, escalate)}
 * @param data small machine-readable facts (target, level, reason, error, attempt, next_retry, by,
 *     via, ...)
 */
public record TimelineEntry(long seq, Instant time, Type type, String message, Map<String, String> data) {
    public TimelineEntry {
        data = Map.copyOf(data);
    }

    /** The kinds of timeline entries. Stored in lower case. */
    public enum Type {
        /** The incident opened. */
        TRIGGERED,
        /** The condition fired again while open (new summary/details); no new page. */
        UPDATED,
        /** The condition fired again after it had resolved (flapping); the incident reopened. */
        RETRIGGERED,
        /** The condition cleared but auto-resolve is off for its source. */
        CLEARED,
        /** A notification was delivered (target, level, reason, attempt). */
        NOTIFIED,
        /** A delivery attempt failed (target, error, attempt, next_retry or gave_up). */
        DELIVERY_FAILED,
        /** The incident moved to the next escalation level (or started a new round). */
        ESCALATED,
        /** Someone acknowledged it (by, via link|cli|api|events_api). */
        ACKNOWLEDGED,
        /** It resolved (by: auto or a person). */
        RESOLVED,
        /** Attached to an open host incident instead of paging (on the child). */
        ATTACHED,
        /** A per-app incident was attached to this host incident (on the parent). */
        INHIBITED,
        /** The parent host incident resolved; this incident now pages on its own. */
        RELEASED,
        /** A silence matched; the incident is recorded but does not page. */
        SILENCED,
        /** The silence ended while the incident was open; paging starts. */
        UNSILENCED,
        /** Older entries were dropped to keep the timeline bounded (data: dropped). */
        TRUNCATED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Type parse(String label) {
            return valueOf(label.toUpperCase(Locale.ROOT));
        }
    }
}
