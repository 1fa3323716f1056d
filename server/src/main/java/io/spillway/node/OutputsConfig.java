package io.spillway.node;

import io.spillway.output.file.FileOutputConfig;

/**
 * The {@code outputs:} section: one key per destination.
 *
 * @param file one rotated, capped file per app (docs/outputs/file.md)
 */
public record OutputsConfig(FileOutputConfig file) {
    public static OutputsConfig defaults() {
        return new OutputsConfig(FileOutputConfig.defaults());
    }
}
