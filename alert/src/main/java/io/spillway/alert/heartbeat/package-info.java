/**
 * Spillway's outbound heartbeat (a dead man's switch): Spillway pings an external monitor (e.g.
 * healthchecks.io) every interval; when the pings stop — host down, process hung, network cut — the
 * external monitor alerts, which Spillway itself cannot do once it is dead.
 */
@NullMarked
package io.spillway.alert.heartbeat;

import org.jspecify.annotations.NullMarked;
