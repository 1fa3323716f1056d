/**
 * How components build themselves: an input's or output's config record is its spec ({@link
 * io.spillway.component.InputSpec}, {@link io.spillway.component.OutputSpec}) and builds the component
 * from a {@link io.spillway.component.BuildContext}, which every role gives the same way. A role
 * ({@code run}, and later {@code agent} and {@code hub}) is then a list of specs, not its own wiring.
 */
@NullMarked
package io.spillway.component;

import org.jspecify.annotations.NullMarked;
