package io.spillway.store;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One query over one app's stored records.
 *
 * @param app the app (normalized name)
 * @param since inclusive lower bound on record time, or null for the oldest stored
 * @param until exclusive upper bound on record time, or null for now
 * @param filter substring or regex on the message, or null for every record
 * @param limit at most this many records in the result (1..10 000)
 * @param order which end of the range comes first: by record time ({@code OLDEST_FIRST}, {@code
 *     NEWEST_FIRST}; ties by arrival), or in the order records were stored ({@code ARRIVAL})
 * @param cursor continue after the last record of a previous page (its {@code next_cursor}), or null
 */
public record Query(
        String app,
        @Nullable Instant since,
        @Nullable Instant until,
        @Nullable Filter filter,
        int limit,
        Order order,
        @Nullable String cursor) {

    /** The largest page a query may ask for. */
    public static final int MAX_LIMIT = 10_000;

    /** Result order. */
    public enum Order {
        /** Oldest record time first; records of the same time in the order they were stored. */
        OLDEST_FIRST,
        /** Newest record time first, like {@code heroku logs -n}; same time: last stored first. */
        NEWEST_FIRST,
        /**
         * The order records were stored, whatever their times: what a live tail resumes in, since
         * "everything stored after the last record I saw" is an arrival question.
         */
        ARRIVAL
    }

    public Query {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(order, "order");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ", got " + limit);
        }
    }
}
