/** The log record model shared by every layer: {@link io.spillway.record.LogRecord} and its parts. */
@NullMarked
package io.spillway.record;

import org.jspecify.annotations.NullMarked;
