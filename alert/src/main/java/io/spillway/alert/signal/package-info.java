/**
 * What every incident source reports: a {@link io.spillway.alert.signal.Signal} ("this condition is
 * firing") and the {@link io.spillway.alert.signal.IncidentSource} it came from.
 *
 * <p>Invariant: this package sits below the incident engine ({@code alert}) and the sources that
 * produce signals ({@code alert.intake} and the engine's own rules and heartbeats), and imports
 * neither; only core. That keeps the engine and its intake from importing each other.
 */
@NullMarked
package io.spillway.alert.signal;

import org.jspecify.annotations.NullMarked;
