/**
 * The fluent forward input: Fluent Forward Protocol v1 over TCP (optionally TLS), as spoken by
 * Docker's {@code fluentd} log driver, Fluentd and Fluent Bit's {@code out_forward}, Fluency and
 * fluent-logger. The codec ({@link io.spillway.input.forward.MsgpackWalker} finds frame boundaries
 * without trusting declared lengths, {@link io.spillway.input.forward.ForwardDecoder} turns a frame
 * into records) works without sockets; {@link io.spillway.input.forward.ForwardInput} is the server.
 */
@NullMarked
package io.spillway.input.forward;

import org.jspecify.annotations.NullMarked;
