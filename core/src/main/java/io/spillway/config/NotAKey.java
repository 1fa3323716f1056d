package io.spillway.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a component of a config record that is not read from the config file: {@link ConfigBinder}
 * keeps the value it starts from ({@code defaults()} or the enclosing value) and never prints it, and
 * a key of that name in the file is unknown. For what the loader learns about the file itself, such
 * as {@link WrittenKeys}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface NotAKey {}
