package io.spillway.input.netty;

/**
 * What a network input's decoders can meet in the bytes a peer sends, each with the {@code kind}
 * label it is counted under in {@code spillway_input_errors{input,kind}} and what it costs the peer.
 * The one place that decides whether an error skips a frame or closes the connection (as Vector's
 * {@code can_continue} does): a decoder reports the error, its handler asks {@link
 * #closesConnection()}.
 *
 * <p>Labels are a fixed vocabulary and stay as they were when these were strings: several errors may
 * share one label ({@code too_large} for a frame, which loses the boundary, and for an entry, which
 * does not).
 */
public enum DecodeError {
    /** Bytes that are not the protocol's framing (msgpack that is no type, or cut short inside one). */
    FRAMING_MALFORMED("malformed", Effect.CLOSE),
    /** A frame announced or grown past its bound: its end cannot be found without reading it all. */
    FRAME_TOO_LARGE("too_large", Effect.CLOSE),
    /** Nesting past the walker's bound. */
    TOO_DEEP("too_deep", Effect.CLOSE),
    /** The input's memory for incomplete frames is spent and this connection holds much of it. */
    MEMORY_BUDGET("memory_budget", Effect.CLOSE),
    /** The peer closed inside a frame; what it sent of it is lost. */
    TRUNCATED("truncated", Effect.CLOSE),
    /** A syslog octet count that is not one: read on as newline-framed. */
    SYSLOG_FRAMING("framing_error", Effect.KEEP),
    /** A complete frame that is not a message of the protocol; dropped, the stream goes on. */
    MALFORMED("malformed", Effect.SKIP),
    /** A message that does not parse (GELF JSON); dropped. */
    PARSE_ERROR("parse_error", Effect.SKIP),
    /** A message, entry or inflated payload past its bound; dropped, the stream goes on. */
    TOO_LARGE("too_large", Effect.SKIP),
    /** A compressed payload that does not inflate; dropped. */
    DECOMPRESS_ERROR("decompress_error", Effect.SKIP),
    /** No room in {@code limits.inflight_memory} for the payload; dropped (unacknowledged). */
    INFLIGHT_MEMORY("inflight_memory", Effect.SKIP),
    /** A GELF chunk that cannot belong to a message (bad header, count or sequence); dropped. */
    CHUNK_INVALID("chunk_invalid", Effect.SKIP),
    /** A chunked GELF message not complete in time; its chunks are dropped. */
    CHUNK_TIMEOUT("chunk_timeout", Effect.SKIP),
    /** A chunked GELF message pushed out by newer ones over the bound; its chunks are dropped. */
    CHUNK_EVICTED("chunk_evicted", Effect.SKIP),
    /** A frame longer than the bound, delivered cut to it. */
    FRAME_TRUNCATED("frame_truncated", Effect.KEEP),
    /** The stream ended inside an octet-counted frame; what arrived is delivered. */
    FRAME_INCOMPLETE("frame_incomplete", Effect.KEEP),
    /** An event time that is no time; the record gets the arrival time. */
    BAD_TIME("bad_time", Effect.KEEP);

    /** What an error costs. */
    public enum Effect {
        /** The frame boundary is lost: the connection is closed (other connections go on). */
        CLOSE,
        /** The frame or message is dropped and counted; the connection goes on. */
        SKIP,
        /** The record is kept (cut, or with a substitute), and counted. */
        KEEP
    }

    private final String label;
    private final Effect effect;

    DecodeError(String label, Effect effect) {
        this.label = label;
        this.effect = effect;
    }

    /** The {@code kind} label of {@code spillway_input_errors}. */
    public String label() {
        return label;
    }

    public Effect effect() {
        return effect;
    }

    /** True when the connection must be closed: the next frame cannot be found. */
    public boolean closesConnection() {
        return effect == Effect.CLOSE;
    }
}
