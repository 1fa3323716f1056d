/**
 * Spillway's own events ({@code _spillway}): conditions that threaten a host or hide logs (drops
 * started, a watermark crossed, an output down). Producers publish {@link io.spillway.event.Event}s
 * to {@link io.spillway.event.Events}; the node fans them out to the record stream and to the
 * incident engine.
 */
@NullMarked
package io.spillway.event;

import org.jspecify.annotations.NullMarked;
