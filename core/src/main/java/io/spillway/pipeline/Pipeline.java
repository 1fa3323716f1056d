package io.spillway.pipeline;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.spillway.admission.Admission;
import io.spillway.admission.Receipt;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * input → stages → one buffer per output → output workers.
 *
 * <p>{@link #accept} runs on the calling input's thread: stages in order, then the record is offered
 * to every output's buffer. It is accepted when at least one buffer took it; drops are reported by
 * whichever stage or buffer decided them. Start order: outputs, then inputs; stop order: inputs (no new
 * records), then outputs, each draining its buffer for at most the drain timeout.
 */
public final class Pipeline implements RecordSink {
    private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

    private final List<Input> inputs;
    private final List<Stage> stages;
    private final List<OutputWorker> outputs;
    private final CounterDataPoint[] stageIn;
    private final CounterDataPoint[] stageDropped;
    private final List<Input> started = new ArrayList<>();
    /** Sees every record the stages let through (e.g. the incident engine's record rules); no-op by default. */
    private volatile Consumer<LogRecord> observer = r -> {};

    public Pipeline(List<Input> inputs, List<Stage> stages, List<OutputWorker> outputs, Metrics metrics) {
        this.inputs = List.copyOf(inputs);
        this.stages = List.copyOf(stages);
        this.outputs = List.copyOf(outputs);
        var in = metrics.counter("spillway_stage_records", "Records that entered a pipeline stage.", "stage");
        var dropped = metrics.counter("spillway_stage_dropped_records", "Records a pipeline stage dropped.", "stage");
        stageIn = new CounterDataPoint[stages.size()];
        stageDropped = new CounterDataPoint[stages.size()];
        for (int i = 0; i < stages.size(); i++) {
            stageIn[i] = in.labelValues(stages.get(i).name());
            stageDropped[i] = dropped.labelValues(stages.get(i).name());
        }
    }

    @Override
    public Admission accept(LogRecord record) {
        Object r = throughStages(record);
        if (r instanceof LogRecord passed) {
            observer.accept(passed);
            return toBuffers(passed);
        }
        return (Admission) r;
    }

    /**
     * Sets the observer that sees every record the stages let through, on the input's thread, before
     * it is offered to the buffers. It must be cheap and must not block or throw (it runs on the hot
     * path of every input); records bypassing the stages ({@link #toBuffers}) are not observed.
     */
    public void observe(Consumer<LogRecord> observer) {
        this.observer = observer;
    }

    /**
     * Runs the stages: returns the record that came through (a {@link LogRecord}), or the {@link
     * Admission} saying which stage dropped it. One return value instead of two so that the common
     * path allocates nothing.
     */
    private Object throughStages(LogRecord record) {
        LogRecord r = record;
        for (int i = 0; i < stageIn.length; i++) {
            stageIn[i].inc();
            LogRecord next = stages.get(i).apply(r);
            if (next == null) {
                stageDropped[i].inc();
                return Admission.dropped(stages.get(i).name());
            }
            r = next;
        }
        return r;
    }

    /**
     * Offers a record to every output's buffer, bypassing the stages: for Spillway's own records
     * (drop markers, events), which must not be rate limited or redacted. Accepted when at least one
     * buffer took it.
     */
    public Admission toBuffers(LogRecord r) {
        Admission firstDrop = null;
        boolean accepted = false;
        for (OutputWorker w : outputs) {
            Admission a = w.buffer().offer(r);
            if (a.accepted()) {
                accepted = true;
            } else if (firstDrop == null) {
                firstDrop = a;
            }
        }
        if (accepted) {
            return Admission.ACCEPTED;
        }
        return firstDrop != null ? firstDrop : Admission.dropped("no_output");
    }

    /**
     * The acknowledgement hook (G5) for inputs whose senders wait for an answer (forward {@code ack},
     * HTTP 2xx): runs the stages on each record, offers the survivors to every output's buffer with
     * {@link io.spillway.buffer.Buffer#offerDurable}, and calls {@code onDurable} exactly once, when
     * every buffer has answered. A record is accepted when at least one buffer took it; the receipt is
     * durable when every buffer's was. Admissions come back one per offered record, in order.
     */
    @Override
    public void acceptDurable(List<LogRecord> records, Consumer<Receipt> onDurable) {
        Admission[] admissions = new Admission[records.size()];
        List<LogRecord> passed = new ArrayList<>(records.size());
        int[] index = new int[records.size()];
        for (int i = 0; i < records.size(); i++) {
            Object r = throughStages(records.get(i));
            if (r instanceof LogRecord rec) {
                observer.accept(rec);
                index[passed.size()] = i;
                passed.add(rec);
            } else {
                admissions[i] = (Admission) r;
            }
        }
        if (passed.isEmpty() || outputs.isEmpty()) {
            for (int i = 0; i < admissions.length; i++) {
                if (admissions[i] == null) {
                    admissions[i] = Admission.dropped("no_output");
                }
            }
            onDurable.accept(new Receipt(List.of(admissions), true));
            return;
        }
        AtomicInteger pending = new AtomicInteger(outputs.size());
        AtomicBoolean durable = new AtomicBoolean(true);
        Object lock = new Object();
        for (OutputWorker w : outputs) {
            w.buffer().offerDurable(passed, receipt -> {
                synchronized (lock) {
                    List<Admission> got = receipt.admissions();
                    for (int j = 0; j < got.size(); j++) {
                        int i = index[j];
                        Admission a = got.get(j);
                        if (admissions[i] == null || (!admissions[i].accepted() && a.accepted())) {
                            admissions[i] = a;
                        }
                    }
                    if (!receipt.durable() && receipt.accepted() > 0) {
                        durable.set(false);
                    }
                }
                if (pending.decrementAndGet() == 0) {
                    synchronized (lock) {
                        onDurable.accept(new Receipt(List.of(admissions), durable.get()));
                    }
                }
            });
        }
    }

    public void start() throws Exception {
        for (OutputWorker w : outputs) {
            w.start();
        }
        for (Input input : inputs) {
            input.start(this);
            started.add(input);
        }
    }

    /** Graceful stop: inputs first, then outputs drain for at most {@code drain}. */
    public void stop(Duration drain) {
        stopInputs();
        stopOutputs(drain);
    }

    /** Stops every input; returns when none will hand over another record. */
    public void stopInputs() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).stop();
            } catch (RuntimeException e) {
                log.warn("input {}: error while stopping", started.get(i).name(), e);
            }
        }
        started.clear();
    }

    /** Drains each output's buffer for at most {@code drain}, then closes the outputs. */
    public void stopOutputs(Duration drain) {
        for (OutputWorker w : outputs) {
            w.stop(drain);
        }
    }

    public List<Input> inputs() {
        return inputs;
    }

    public List<OutputWorker> outputs() {
        return outputs;
    }
}
