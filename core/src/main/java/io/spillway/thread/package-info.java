/**
 * Spillway's threads: {@link io.spillway.thread.NamedThreadFactory} is the one way a component makes
 * one, so every thread carries a name that says whose it is and an explicit daemon flag.
 */
@NullMarked
package io.spillway.thread;

import org.jspecify.annotations.NullMarked;
