package io.spillway.component;

import io.spillway.pipeline.Input;

/**
 * An input's configuration, able to build the input: an input is one package plus its field in the
 * node's {@code inputs} section.
 */
public interface InputSpec extends ComponentSpec<Input> {}
