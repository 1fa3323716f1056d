package io.spillway.store;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of a query.
 *
 * @param records the matching records in the query's order
 * @param nextCursor pass as the next query's cursor to continue; null when the range is exhausted
 * @param stoppedEarly why the query stopped before filling its page or exhausting its range
 *     ({@code time_budget} or {@code byte_budget}); null if it did not. A query that stopped early
 *     still returns a {@code nextCursor} to continue from.
 * @param scannedBytes decompressed bytes scanned to answer
 */
public record QueryResult(
        List<StoredRecord> records,
        @Nullable String nextCursor,
        @Nullable String stoppedEarly,
        long scannedBytes) {
    public QueryResult {
        records = List.copyOf(records);
    }
}
