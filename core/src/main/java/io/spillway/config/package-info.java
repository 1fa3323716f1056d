/**
 * Configuration: one YAML file bound to records, sizes and durations parsed in one place, and
 * errors that name the key path. See {@link io.spillway.config.ConfigBinder}.
 */
@NullMarked
package io.spillway.config;

import org.jspecify.annotations.NullMarked;
