/**
 * The operator dashboard: server-rendered pages (overview, apps, app tail, incidents, config) served
 * by Spillway itself, signed in with an API token, see docs/dashboard.md.
 */
@NullMarked
package io.spillway.server.dashboard;

import org.jspecify.annotations.NullMarked;
