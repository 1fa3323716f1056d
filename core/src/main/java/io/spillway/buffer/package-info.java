/**
 * Buffers between the pipeline and each output. {@link io.spillway.buffer.Buffer} is the contract;
 * {@link io.spillway.buffer.MemoryBuffer} is the simple bounded FIFO the fair buffer replaces.
 */
@NullMarked
package io.spillway.buffer;

import org.jspecify.annotations.NullMarked;
