/**
 * Incidents (DESIGN.md §10): sources (events, record rules, heartbeat loss, external intake),
 * incidents with a timeline persisted in SQLite, escalation policies, silences and inhibition.
 */
@NullMarked
package io.spillway.alert;

import org.jspecify.annotations.NullMarked;
