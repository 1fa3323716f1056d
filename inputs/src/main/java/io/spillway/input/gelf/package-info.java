/**
 * The GELF input: Graylog Extended Log Format messages (JSON, optionally gzip or zlib compressed) over
 * UDP (chunked datagrams reassembled by {@link io.spillway.input.gelf.GelfChunkAggregator}) and TCP
 * (NUL-byte framing). The codec ({@link io.spillway.input.gelf.GelfDecoder}, {@link
 * io.spillway.input.gelf.GelfPayloads}, the aggregator) works without sockets; {@link
 * io.spillway.input.gelf.GelfInput} is the server.
 */
@NullMarked
package io.spillway.input.gelf;

import org.jspecify.annotations.NullMarked;
