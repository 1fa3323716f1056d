package io.spillway.alert;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A maintenance window: incidents that match while it is active are recorded but do not page.
 * Immutable.
 *
 * @param id the silence's number (0 before it is stored)
 * @param matcher which incidents it mutes (severity matches exactly)
 * @param starts when it begins
 * @param ends when it ends
 * @param createdBy who made it ({@code config} for silences from the file)
 * @param comment why
 * @param expiredAt when it was ended early through the API, if it was
 */
public record Silence(
        long id,
        Match matcher,
        Instant starts,
        Instant ends,
        String createdBy,
        String comment,
        @Nullable Instant expiredAt) {

    /** True if it mutes at {@code now}. */
    public boolean activeAt(Instant now) {
        return !now.isBefore(starts) && now.isBefore(effectiveEnd());
    }

    /** When it stops muting: its end, or when it was expired, whichever is first. */
    public Instant effectiveEnd() {
        return expiredAt != null && expiredAt.isBefore(ends) ? expiredAt : ends;
    }

    boolean matches(Incident incident, Instant now) {
        return activeAt(now) && matcher.matchesSilence(incident);
    }
}
