package io.spillway.store;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Read access to stored logs: what the HTTP API, the CLI and the dashboard use. Thread-safe; every
 * call is bounded in time and bytes (a query stops early and says so rather than hang).
 */
public interface LogReader {
    /** Every app the store holds or has seen recently, with its figures. */
    List<AppSummary> apps();

    /** The summary of one app, or null if the store has never seen it. */
    @Nullable
    AppSummary app(String app);

    /** Runs one bounded query over one app's stored records. */
    QueryResult query(Query query);

    /**
     * Follows one app from now on: records stored after this call are handed to the returned tail.
     * The tail is bounded; a reader that falls behind loses the oldest pending records and is told
     * how many ({@link Tail#missed()}). The caller must close it.
     *
     * @param app the app to follow
     * @param filter only records whose message matches are handed over; null for all
     */
    Tail follow(String app, @Nullable Filter filter);
}
