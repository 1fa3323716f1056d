package io.spillway.node;

import io.spillway.pipeline.Input;
import io.spillway.pipeline.OutputWorker;
import java.util.List;

/** Builds inputs and outputs from the config sections; one method per section. */
final class Wiring {
    private Wiring() {}

    static void inputs(Node node, List<Input> into) {}

    static void outputs(Node node, List<OutputWorker> into) {}

    static List<String> describe(Node node) {
        return List.of();
    }
}
