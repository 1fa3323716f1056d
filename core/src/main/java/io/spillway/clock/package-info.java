/** Where time comes from: {@link io.spillway.clock.SystemClock}, the one source of the wall clock. */
@NullMarked
package io.spillway.clock;

import org.jspecify.annotations.NullMarked;
