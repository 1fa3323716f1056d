/** The HTTP server: health, readiness, metrics, and (later) the API and dashboard. */
@NullMarked
package io.spillway.server;

import org.jspecify.annotations.NullMarked;
