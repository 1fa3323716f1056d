/**
 * What became of a record: the vocabulary shared by everyone who accepts or loses records. A buffer
 * or the pipeline answers an offer with an {@link io.spillway.admission.Admission} (accepted, or
 * dropped with a reason), a durable offer with a {@link io.spillway.admission.Receipt}; whoever drops
 * a record, at admission or later (shed, floor, output failed, corrupt), reports it once to {@link
 * io.spillway.admission.Drops}, and {@link io.spillway.admission.DropCounter} turns the reports into
 * the bounded drop metrics (G3).
 *
 * <p>Invariant: this package sits below {@code buffer}, {@code pipeline} and {@code guard}, which all
 * speak it, and imports none of them (only {@code metrics}); that is what keeps the buffer and the
 * pipeline from importing each other.
 */
@NullMarked
package io.spillway.admission;

import org.jspecify.annotations.NullMarked;
