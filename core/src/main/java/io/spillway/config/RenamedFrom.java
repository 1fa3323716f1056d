package io.spillway.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a config record component whose key was once spelled {@link #value()}. {@link ConfigBinder}
 * still binds the former key, reports it (so the loader can warn, naming the current key) and names
 * it as written in any problem with its value; setting both spellings is an error. The current key is
 * the only one printed by {@link ConfigBinder#toTree}, documented, and listed among the known keys.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface RenamedFrom {
    /** The former key, as written in YAML (e.g. {@code floor}). */
    String value();
}
