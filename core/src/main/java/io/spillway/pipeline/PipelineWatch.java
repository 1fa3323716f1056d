package io.spillway.pipeline;

import io.spillway.config.DataSize;
import io.spillway.event.Event;
import io.spillway.event.EventSeverity;
import io.spillway.event.Events;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Turns the pipeline's own trouble into events (DESIGN.md §10, the agent's internal events), so
 * that it is paged like a full disk:
 *
 * <ul>
 *   <li>{@code drops} (warning, subject and app = the app): an app started losing lines; cleared
 *       after {@code drops_clear_after} without a drop. Details: records dropped per reason since the
 *       condition started.
 *   <li>{@code output_down} (critical, subject = the output): every delivery has failed for {@code
 *       output_down_after}; cleared on the next delivered batch.
 *   <li>{@code input_errors} (warning, subject = the input): more than {@code input_error_storm}
 *       errors in one {@code input_error_window}; cleared after a window without errors.
 * </ul>
 *
 * <p>Bounded: state is one entry per app that is dropping (at most the drop ledger's app cap), per
 * output and per input. Thread-safety: {@link #tick} is called from one scheduler thread; the
 * sources it reads are thread-safe.
 */
public final class PipelineWatch {
    private final WatchConfig config;
    private final String host;
    private final Supplier<Map<String, Map<String, Long>>> drops;
    private final List<OutputWorker> outputs;
    private final List<InputMetrics> inputs;
    private final Events events;
    private final InstantSource clock;

    /** Per app: drop totals by reason when last seen, and whether a drops event is firing. */
    private final Map<String, AppDrops> apps = new HashMap<>();

    private final Map<String, Boolean> outputDown = new HashMap<>();
    private final Map<String, InputErrors> inputErrors = new HashMap<>();

    private static final class AppDrops {
        Map<String, Long> last = Map.of();
        Map<String, Long> atStart = Map.of();
        Instant lastDrop = Instant.EPOCH;
        boolean firing;
    }

    private static final class InputErrors {
        long windowStartCount;
        Instant windowStart;
        Instant lastError = Instant.EPOCH;
        long lastCount;
        boolean firing;

        InputErrors(long count, Instant now) {
            windowStartCount = count;
            lastCount = count;
            windowStart = now;
        }
    }

    /**
     * @param drops records dropped since start per app and reason (the drop ledger's totals)
     */
    public PipelineWatch(
            WatchConfig config,
            String host,
            Supplier<Map<String, Map<String, Long>>> drops,
            List<OutputWorker> outputs,
            List<InputMetrics> inputs,
            Events events,
            InstantSource clock) {
        this.config = config;
        this.host = host;
        this.drops = drops;
        this.outputs = List.copyOf(outputs);
        this.inputs = List.copyOf(inputs);
        this.events = events;
        this.clock = clock;
    }

    /** Checks once and publishes what started or ended. */
    public void tick() {
        Instant now = clock.instant();
        checkDrops(now);
        checkOutputs(now);
        checkInputs(now);
    }

    private void checkDrops(Instant now) {
        Map<String, Map<String, Long>> totals = drops.get();
        for (Map.Entry<String, Map<String, Long>> e : totals.entrySet()) {
            String app = e.getKey();
            Map<String, Long> byReason = e.getValue();
            AppDrops a = apps.computeIfAbsent(app, k -> new AppDrops());
            boolean grew = sum(byReason) > sum(a.last);
            if (grew) {
                a.lastDrop = now;
                if (!a.firing) {
                    a.firing = true;
                    a.atStart = a.last;
                    Map<String, Long> since = diff(byReason, a.atStart);
                    events.publish(new Event(
                            now,
                            "drops",
                            app,
                            EventSeverity.WARNING,
                            Event.State.FIRING,
                            host,
                            app,
                            "app " + app + " is losing lines: " + describe(since),
                            details(since)));
                }
            } else if (a.firing && Duration.between(a.lastDrop, now).compareTo(config.dropsClearAfter()) >= 0) {
                a.firing = false;
                Map<String, Long> since = diff(byReason, a.atStart);
                events.publish(new Event(
                        now,
                        "drops",
                        app,
                        EventSeverity.WARNING,
                        Event.State.CLEARED,
                        host,
                        app,
                        "app " + app + " stopped losing lines after " + describe(since),
                        details(since)));
            }
            a.last = byReason;
        }
    }

    private void checkOutputs(Instant now) {
        for (OutputWorker w : outputs) {
            long since = w.failingSinceMillis();
            boolean down = since != 0
                    && now.toEpochMilli() - since >= config.outputDownAfter().toMillis();
            boolean was = outputDown.getOrDefault(w.name(), false);
            if (down && !was) {
                outputDown.put(w.name(), true);
                events.publish(new Event(
                        now,
                        "output_down",
                        w.name(),
                        EventSeverity.CRITICAL,
                        Event.State.FIRING,
                        host,
                        null,
                        "output " + w.name() + " has failed every delivery for "
                                + (now.toEpochMilli() - since) / 1000 + "s (" + w.lastError() + "); "
                                + w.buffer().records() + " records ("
                                + DataSize.human(w.buffer().bytes())
                                + ") wait in its buffer",
                        Map.of(
                                "output", w.name(),
                                "error", w.lastError(),
                                "buffered_records", Long.toString(w.buffer().records()))));
            } else if (was && since == 0) {
                outputDown.put(w.name(), false);
                events.publish(new Event(
                        now,
                        "output_down",
                        w.name(),
                        EventSeverity.CRITICAL,
                        Event.State.CLEARED,
                        host,
                        null,
                        "output " + w.name() + " delivers again",
                        Map.of("output", w.name())));
            }
        }
    }

    private void checkInputs(Instant now) {
        for (InputMetrics m : inputs) {
            long count = m.errorCount();
            InputErrors s = inputErrors.computeIfAbsent(m.input(), k -> new InputErrors(count, now));
            if (count > s.lastCount) {
                s.lastError = now;
            }
            s.lastCount = count;
            long inWindow = count - s.windowStartCount;
            if (!s.firing && inWindow > config.inputErrorStorm()) {
                s.firing = true;
                events.publish(new Event(
                        now,
                        "input_errors",
                        m.input(),
                        EventSeverity.WARNING,
                        Event.State.FIRING,
                        host,
                        null,
                        "input " + m.input() + ": " + inWindow + " errors within "
                                + config.inputErrorWindow().toSeconds() + "s (see spillway_input_errors_total by kind)",
                        Map.of("input", m.input(), "errors", Long.toString(inWindow))));
            } else if (s.firing && Duration.between(s.lastError, now).compareTo(config.inputErrorWindow()) >= 0) {
                s.firing = false;
                events.publish(new Event(
                        now,
                        "input_errors",
                        m.input(),
                        EventSeverity.WARNING,
                        Event.State.CLEARED,
                        host,
                        null,
                        "input " + m.input() + ": errors stopped",
                        Map.of("input", m.input())));
            }
            if (Duration.between(s.windowStart, now).compareTo(config.inputErrorWindow()) >= 0) {
                s.windowStart = now;
                s.windowStartCount = count;
            }
        }
    }

    private static long sum(Map<String, Long> m) {
        long s = 0;
        for (long v : m.values()) {
            s += v;
        }
        return s;
    }

    private static Map<String, Long> diff(Map<String, Long> now, Map<String, Long> before) {
        Map<String, Long> out = new TreeMap<>();
        now.forEach((reason, n) -> {
            long d = n - before.getOrDefault(reason, 0L);
            if (d > 0) {
                out.put(reason, d);
            }
        });
        return out;
    }

    private static String describe(Map<String, Long> byReason) {
        StringBuilder sb = new StringBuilder();
        byReason.forEach((reason, n) ->
                sb.append(sb.isEmpty() ? "" : ", ").append(n).append(' ').append(reason));
        return sb.isEmpty() ? "0 dropped" : sb + " dropped";
    }

    private static Map<String, String> details(Map<String, Long> byReason) {
        Map<String, String> d = new TreeMap<>();
        byReason.forEach((reason, n) -> d.put("dropped_" + reason, Long.toString(n)));
        return d;
    }
}
