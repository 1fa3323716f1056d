package io.spillway.admission;

import java.util.List;

/**
 * What became of records offered with {@link Buffer#offerDurable}: one admission per record, in
 * order, and whether every accepted record is durable, i.e. survives a {@code kill -9} of the process
 * (see the buffer's documentation for power loss).
 *
 * @param admissions one per offered record, in the order offered
 * @param durable true when every accepted record is on disk as the buffer's fsync policy promises;
 *     false when at least one accepted record is held in memory only
 */
public record Receipt(List<Admission> admissions, boolean durable) {
    public Receipt {
        admissions = List.copyOf(admissions);
    }

    /** How many of the offered records were accepted. */
    public int accepted() {
        int n = 0;
        for (Admission a : admissions) {
            if (a.accepted()) {
                n++;
            }
        }
        return n;
    }
}
