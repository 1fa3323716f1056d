/**
 * The space accountant (G4): every file Spillway writes reserves its bytes here first, per
 * filesystem, against the writer's free-space floor. {@link io.spillway.space.SpaceAccountant} holds
 * the filesystems and writers, {@link io.spillway.space.SpaceWriter} is one writer's handle, {@link
 * io.spillway.space.Reservation} one write's claim; {@link io.spillway.space.SpaceFloor} is the floor
 * as configured and {@link io.spillway.space.DiskSpace} the {@code statvfs} probe.
 */
@NullMarked
package io.spillway.space;

import org.jspecify.annotations.NullMarked;
