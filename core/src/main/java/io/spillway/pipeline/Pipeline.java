package io.spillway.pipeline;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
        return toBuffers(r);
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
