/**
 * The disk guard (DESIGN.md §11): watches the filesystems that hold container runtimes' logs and
 * Spillway's own data, raises events at warn / critical / emergency watermarks naming the container
 * log files that grow fastest, and optionally reclaims space by truncating the top writer's log.
 */
@NullMarked
package io.spillway.diskguard;

import org.jspecify.annotations.NullMarked;
