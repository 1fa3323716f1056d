/**
 * The pipeline skeleton: inputs hand records to a {@link io.spillway.pipeline.RecordSink}; the
 * {@link io.spillway.pipeline.Pipeline} runs the stages, offers each record to every output's buffer,
 * and an {@link io.spillway.pipeline.OutputWorker} per output delivers batches at least once.
 */
@NullMarked
package io.spillway.pipeline;

import org.jspecify.annotations.NullMarked;
