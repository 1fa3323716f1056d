/**
 * The file output: one rotated, size-capped log file per app under one directory, in a greppable
 * text format or JSON lines. See {@link io.spillway.output.file.FileOutput} for the design and the
 * bounds, {@link io.spillway.output.file.FileOutputConfig} for the keys.
 */
@NullMarked
package io.spillway.output.file;

import org.jspecify.annotations.NullMarked;
