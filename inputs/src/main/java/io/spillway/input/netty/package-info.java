/**
 * The Netty server plumbing the network inputs share: event loops, TCP and UDP listeners bound on a
 * {@link io.spillway.config.ListenAddress}, the connection limit, the idle timeout, and the error
 * log that names the peer at most once per interval. {@link io.spillway.input.netty.NettyServer} is
 * the server; {@link io.spillway.input.netty.PeerErrorLog} the throttled error log. The protocols
 * themselves (framing, decoding, handshakes, acknowledgements) stay in their input packages.
 */
@NullMarked
package io.spillway.input.netty;

import org.jspecify.annotations.NullMarked;
