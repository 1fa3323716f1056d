/**
 * Retry timing: {@link io.spillway.retry.ExponentialBackoff} is the one backoff schedule of every retry
 * loop (output delivery, incident notification).
 */
@NullMarked
package io.spillway.retry;

import org.jspecify.annotations.NullMarked;
