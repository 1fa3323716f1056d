package io.spillway.node;

import io.spillway.output.file.FileOutputConfig;
import io.spillway.store.StoreConfig;

/**
 * The {@code outputs:} section: one key per destination.
 *
 * @param file one rotated, capped file per app (docs/outputs/file.md)
 * @param store the embedded, queryable log store (docs/outputs/store.md); on by default beside the
 *     file output
 */
public record OutputsConfig(FileOutputConfig file, StoreConfig store) {
    public static OutputsConfig defaults() {
        return new OutputsConfig(FileOutputConfig.defaults(), StoreConfig.defaults());
    }
}
