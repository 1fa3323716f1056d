package io.spillway.flood;

import java.io.IOException;

/**
 * How flood's lines reach Spillway: one implementation per input. Called from one sender thread;
 * implementations need not be thread-safe. {@link #send} may buffer; {@link #flush} must put
 * everything buffered on the wire (the sender flushes before it sleeps).
 */
public interface Transport {
    void send(int appIndex, String app, String line) throws IOException;

    void flush() throws IOException;

    void close();
}
