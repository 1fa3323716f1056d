package io.spillway.pipeline;

import io.spillway.admission.Admission;
import io.spillway.admission.Receipt;
import io.spillway.record.LogRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Where inputs deliver decoded records. Implementations are thread-safe and never block for long. */
@FunctionalInterface
public interface RecordSink {
    Admission accept(LogRecord record);

    /**
     * Offers records for an input that answers its sender only once they are durable (forward {@code
     * ack}, HTTP 2xx), and calls {@code onDurable} exactly once, possibly on another thread, with one
     * admission per record in order. The {@link Pipeline} overrides this with the buffers' durable offer;
     * this default, for sinks without a buffer (tests, simple adapters), accepts each record and reports
     * the receipt as not durable.
     */
    default void acceptDurable(List<LogRecord> records, Consumer<Receipt> onDurable) {
        List<Admission> admissions = new ArrayList<>(records.size());
        for (LogRecord r : records) {
            admissions.add(accept(r));
        }
        onDurable.accept(new Receipt(admissions, false));
    }
}
