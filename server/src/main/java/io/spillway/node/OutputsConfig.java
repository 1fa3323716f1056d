package io.spillway.node;

/** The {@code outputs:} section: one key per destination. */
public record OutputsConfig() {
    public static OutputsConfig defaults() {
        return new OutputsConfig();
    }
}
