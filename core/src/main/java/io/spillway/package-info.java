/**
 * Spillway's root package holds only what belongs to no component: {@link
 * io.spillway.SuppressForbidden}, the build checks' way out. Components are the packages below it.
 */
@NullMarked
package io.spillway;

import org.jspecify.annotations.NullMarked;
