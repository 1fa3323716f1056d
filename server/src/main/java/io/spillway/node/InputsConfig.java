package io.spillway.node;

/** The {@code inputs:} section: one key per input protocol. */
public record InputsConfig() {
    public static InputsConfig defaults() {
        return new InputsConfig();
    }
}
