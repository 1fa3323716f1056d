/** The {@code spillway} command line (picocli). */
@NullMarked
package io.spillway.cli;

import org.jspecify.annotations.NullMarked;
