/**
 * The embedded log store (DESIGN.md §9): per-app append-only zstd chunks with a time index,
 * retention heaviest-first, bounded queries and live tail. Readers use {@link
 * io.spillway.store.LogReader}.
 */
@NullMarked
package io.spillway.store;

import org.jspecify.annotations.NullMarked;
