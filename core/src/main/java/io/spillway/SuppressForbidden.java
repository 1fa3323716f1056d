package io.spillway;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lets the annotated method, constructor, field or class use an API that the build's forbidden-API
 * check refuses elsewhere (the signatures files under {@code build/}: the wall clock outside {@link
 * io.spillway.clock.SystemClock}, {@code System.exit} outside the CLI, default-locale and
 * default-charset calls). Put it on the smallest element that needs it and say why in {@link #reason}.
 *
 * <p>Class retention: the check reads it from the bytecode; nothing reads it at run time.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.CONSTRUCTOR, ElementType.FIELD, ElementType.TYPE})
public @interface SuppressForbidden {
    /** Why this place may use the forbidden API, for the reviewer. */
    String reason();
}
