package io.spillway.component;

import io.spillway.pipeline.Output;

/**
 * An output's configuration, able to build the output; the node gives every output it builds a fair
 * buffer and a worker of its own (its buffer's files are the node's disk use, not the output's).
 */
public interface OutputSpec extends ComponentSpec<Output> {}
