/**
 * Buffers between the pipeline and each output. {@link io.spillway.buffer.Buffer} is the contract;
 * {@link io.spillway.buffer.FairBuffer} is the fair, bounded, crash-safe buffer of DESIGN.md §7 (per-app
 * queues, memory and disk budgets, free-space floor, heaviest-first shedding, deficit round robin, CRC
 * checked spill segments), configured by {@link io.spillway.buffer.FairBufferConfig};
 * {@link io.spillway.buffer.MemoryBuffer} is the simple bounded FIFO it replaces.
 */
@NullMarked
package io.spillway.buffer;

import org.jspecify.annotations.NullMarked;
