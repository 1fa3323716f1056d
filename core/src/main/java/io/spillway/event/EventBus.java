package io.spillway.event;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Synchronous fan-out of events to subscribers. Thread-safe; subscribers are called on the
 * publisher's thread, so each must be quick (hand off to its own queue if not). A subscriber that
 * throws is logged and the others still receive the event.
 */
public final class EventBus implements Events {
    private static final Logger log = LoggerFactory.getLogger(EventBus.class);
    private final List<Events> subscribers = new CopyOnWriteArrayList<>();

    /** Adds a subscriber; it receives every event published after this call. */
    public void subscribe(Events subscriber) {
        subscribers.add(subscriber);
    }

    @Override
    public void publish(Event event) {
        for (Events s : subscribers) {
            try {
                s.publish(event);
            } catch (RuntimeException e) {
                log.warn("event subscriber failed on {}: {}", event.key(), e.toString());
            }
        }
    }
}
