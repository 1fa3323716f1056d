/**
 * The tail input: container log files written by Docker's {@code json-file} driver and by CRI
 * runtimes (containerd, CRI-O). The decoders ({@link io.spillway.input.tail.DockerJsonLineDecoder},
 * {@link io.spillway.input.tail.CriLineDecoder}) turn one file line at a time into complete log lines,
 * joining partial entries, and do no I/O.
 */
@NullMarked
package io.spillway.input.tail;

import org.jspecify.annotations.NullMarked;
