/**
 * Metrics: a thin, name-keyed front over the Prometheus client's registry, so every component
 * registers its counters once and the server exposes them in the Prometheus text format.
 */
@NullMarked
package io.spillway.metrics;

import org.jspecify.annotations.NullMarked;
