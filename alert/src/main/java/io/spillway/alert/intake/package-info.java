/**
 * External intake: pure parsers for the Alertmanager webhook (version 4) and PagerDuty Events API v2
 * payloads, turning them into {@link io.spillway.alert.Signal}s. The HTTP routes live in the server;
 * they call {@link io.spillway.alert.IncidentEngine#handleAlertmanager} and
 * {@link io.spillway.alert.IncidentEngine#handleEvents}.
 */
@NullMarked
package io.spillway.alert.intake;

import org.jspecify.annotations.NullMarked;
