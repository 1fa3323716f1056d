package io.spillway.space;

import java.io.IOException;

/**
 * A write refused by the space accountant because it would take its filesystem below the writer's
 * floor (G4). Thrown by outputs, whose workers retry the batch with backoff while records wait in
 * the buffer; the message is the {@link Reservation#refusal()}, naming the figures and the key.
 */
public final class FloorException extends IOException {
    public FloorException(String message) {
        super(message);
    }
}
