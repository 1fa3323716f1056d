/**
 * Live tails over Server-Sent Events, shared by the HTTP API and the dashboard: {@link
 * io.spillway.server.tail.LiveTails}.
 */
@NullMarked
package io.spillway.server.tail;

import org.jspecify.annotations.NullMarked;
