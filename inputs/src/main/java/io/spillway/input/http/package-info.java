/**
 * HTTP ingest bodies: newline-delimited JSON ({@link io.spillway.input.http.NdjsonDecoder}) and
 * Heroku-style {@code application/logplex-1} drains ({@link io.spillway.input.http.LogplexDecoder}).
 * The route itself is served by the node's HTTP server; this package only decodes.
 */
@NullMarked
package io.spillway.input.http;

import org.jspecify.annotations.NullMarked;
