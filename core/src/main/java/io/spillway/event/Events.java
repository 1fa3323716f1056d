package io.spillway.event;

/**
 * Where components publish their events. Implementations must be thread-safe, must not block the
 * publisher for long, and must never throw into it.
 */
@FunctionalInterface
public interface Events {
    /** Publishes one event. */
    void publish(Event event);

    /** Discards every event; for components run without a node (tests, tools). */
    Events NONE = event -> {};
}
