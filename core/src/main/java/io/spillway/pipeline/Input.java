package io.spillway.pipeline;

/**
 * A source of records: binds its listeners or opens its files on {@link #start}, delivers to the
 * sink from its own threads, and on {@link #stop} stops accepting and returns once every record it
 * had accepted has been handed to the sink.
 */
public interface Input {
    String name();

    void start(RecordSink sink) throws Exception;

    void stop();

    /**
     * Where the input listens or reads, for the start-up banner (after {@link #start}: with the bound
     * ports); empty when there is nothing to say.
     */
    default String describe() {
        return "";
    }
}
