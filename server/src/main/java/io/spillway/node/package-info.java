/** Wiring: builds the components of a role from the configuration and runs them. The only place that does. */
@NullMarked
package io.spillway.node;

import org.jspecify.annotations.NullMarked;
