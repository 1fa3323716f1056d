/**
 * External intake: pure parsers for the Alertmanager webhook (version 4) and PagerDuty Events API v2
 * payloads, turning them into {@link io.spillway.alert.signal.Signal}s, configured by {@link
 * io.spillway.alert.intake.IntakeConfig} ({@code alert.intake}), and their answers. The HTTP routes
 * live in the server: they call {@code AlertmanagerIntake.handle} and {@code EventsApiIntake.handle}
 * with the engine's {@code applyAlertmanager} and {@code applyEvent} as the sink, so the engine never
 * sees a body or builds an answer.
 *
 * <p>Invariant: this package imports {@code alert.signal} and never {@code alert}, which uses it: the
 * parsers know what a signal is, not what the engine does with it.
 */
@NullMarked
package io.spillway.alert.intake;

import org.jspecify.annotations.NullMarked;
