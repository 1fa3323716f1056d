/**
 * The guard (DESIGN.md §4): stages every record passes between decode and the fair buffer —
 * {@link io.spillway.guard.TruncateStage}, {@link io.spillway.guard.RedactStage},
 * {@link io.spillway.guard.RateLimitStage} — configured by one {@link io.spillway.guard.GuardConfig}
 * with per-app overrides, and the {@link io.spillway.guard.DropLedger}, which counts every drop per
 * app and reason and leaves a marker record in the app's own stream (G3).
 */
@NullMarked
package io.spillway.guard;

import org.jspecify.annotations.NullMarked;
