package io.spillway.store;

import java.util.function.LongSupplier;

/**
 * A query's time and scanned-bytes budget. The time is read from an injected nanosecond ticker, so
 * tests drive it. Not thread-safe: one per query.
 */
final class Budget {
    static final String TIME = "time_budget";
    static final String BYTES = "byte_budget";

    private final LongSupplier ticker;
    private final long deadline;
    private final long maxScan;
    long scanned;

    Budget(LongSupplier ticker, long timeoutNanos, long maxScan) {
        this.ticker = ticker;
        this.deadline = ticker.getAsLong() + timeoutNanos;
        this.maxScan = maxScan;
    }

    boolean timeUp() {
        return ticker.getAsLong() - deadline >= 0;
    }

    /** Whether reading {@code more} bytes is allowed; the first read of a query always is. */
    boolean mayScan(long more) {
        return wouldAllow(scanned, more);
    }

    /** Whether {@link #mayScan} would allow {@code more} bytes once {@code scannedBefore} are scanned. */
    boolean wouldAllow(long scannedBefore, long more) {
        return scannedBefore == 0 || scannedBefore + more <= maxScan;
    }

    /** Thrown out of a regex match when the deadline passed (no stack trace: it is control flow). */
    static final class TimeUp extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TimeUp() {
            super("time budget exhausted", null, false, false);
        }
    }

    /**
     * A message as seen by a regex: checks the deadline every {@link #CHECK_EVERY} reads, so even a
     * catastrophically backtracking pattern (each step reads a character) stops on time.
     */
    static final class Deadlined implements CharSequence {
        static final int CHECK_EVERY = 4096;
        private final String s;
        private final Budget budget;
        private int reads;

        Deadlined(String s, Budget budget) {
            this.s = s;
            this.budget = budget;
        }

        @Override
        public int length() {
            return s.length();
        }

        @Override
        public char charAt(int index) {
            if (++reads >= CHECK_EVERY) {
                reads = 0;
                if (budget.timeUp()) {
                    throw new TimeUp();
                }
            }
            return s.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Deadlined(s.substring(start, end), budget);
        }

        @Override
        public String toString() {
            return s;
        }
    }
}
