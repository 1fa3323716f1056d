package io.spillway.alert;

import io.prometheus.metrics.core.metrics.Counter;
import io.spillway.alert.signal.IncidentSource;
import io.spillway.alert.signal.Signal;
import io.spillway.config.Glob;
import io.spillway.metrics.Metrics;
import io.spillway.record.LogRecord;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Record rules ({@code alert.rules}): per-app error rate and pattern matches over the record stream.
 *
 * <h2>Hot path</h2>
 *
 * {@link #observe} is called for every accepted record, from any thread. Its cost is one map lookup
 * for the record's (host, app) pair plus, per rule that applies to the app, a severity comparison or
 * one regex search; it never blocks on the engine and allocates only the lookup key. Whether a rule
 * applies to an app (the app glob) is decided once when the pair is first tracked.
 *
 * <h2>State and bounds</h2>
 *
 * One {@code PairState} per tracked (host, app) pair, at most {@code rule_max_apps}; records of
 * further pairs are not evaluated and are counted in {@code spillway_alert_rule_untracked}. Pairs
 * that have been idle (no counted record, nothing firing) for twice the longest window or quiet
 * period are forgotten by {@link #evaluate}, which frees their slots. Error rates count records in
 * tumbling windows of the rule's {@code window} (by arrival time on the injected clock, not the
 * records' own timestamps, which may be wrong); a window with more than {@code threshold} counted
 * records marks the rule exceeded; the incident clears after {@code quiet} without an exceeded
 * window. Pattern rules fire on a match and clear after {@code quiet} without one.
 *
 * <p>Firing and clearing happen in {@link #evaluate}, called by the engine's tick, so incidents open
 * within one tick of the threshold being crossed. Thread-safe.
 */
public final class RecordRules {
    /** Longest matched text kept in an incident's summary. */
    static final int MAX_MATCH = 200;

    private final List<Compiled> rules;
    private final int maxApps;
    private final InstantSource clock;
    private final ConcurrentHashMap<String, PairState> pairs = new ConcurrentHashMap<>();
    private final AtomicInteger tracked = new AtomicInteger();
    private final long forgetAfterMillis;
    private final Counter untracked;

    RecordRules(List<AlertConfig.Rule> rules, int maxApps, InstantSource clock, Metrics metrics) {
        List<Compiled> compiled = new ArrayList<>();
        long longest = 0;
        for (AlertConfig.Rule r : rules) {
            compiled.add(new Compiled(r, r.pattern().isEmpty() ? null : Pattern.compile(r.pattern())));
            longest =
                    Math.max(longest, Math.max(r.window().toMillis(), r.quiet().toMillis()));
        }
        this.rules = List.copyOf(compiled);
        this.maxApps = maxApps;
        this.clock = clock;
        this.forgetAfterMillis = 2 * longest;
        this.untracked = metrics.counter(
                "spillway_alert_rule_untracked",
                "Records not evaluated by record rules because alert.rule_max_apps (host, app) pairs are tracked.");
    }

    /** Evaluates one accepted record. Cheap; never blocks; safe from any thread. */
    public void observe(LogRecord record) {
        if (rules.isEmpty()) {
            return;
        }
        String key = record.host() + '\u0000' + record.app();
        PairState st = pairs.get(key);
        if (st == null) {
            // Reserve a slot first so concurrent first records of new pairs cannot overshoot the cap.
            st = pairs.computeIfAbsent(key, k -> {
                if (tracked.incrementAndGet() > maxApps) {
                    tracked.decrementAndGet();
                    return null;
                }
                return new PairState(record.host(), record.app(), applies(record.app()));
            });
            if (st == null) {
                untracked.inc();
                return;
            }
        }
        long now = clock.millis();
        String text = null;
        for (int i = 0; i < rules.size(); i++) {
            if (!st.applies[i]) {
                continue;
            }
            Compiled c = rules.get(i);
            AlertConfig.Rule rule = c.rule;
            if (rule.type() == AlertConfig.RuleType.ERROR_RATE) {
                boolean counted = record.severity().atLeast(rule.minSeverity());
                if (!counted && c.pattern != null) {
                    if (text == null) {
                        text = record.messageText();
                    }
                    counted = c.pattern.matcher(text).find();
                }
                if (counted) {
                    st.count(i, now, rule.window().toMillis(), rule.threshold());
                }
            } else if (c.pattern != null) {
                if (text == null) {
                    text = record.messageText();
                }
                Matcher m = c.pattern.matcher(text);
                if (m.find()) {
                    st.matched(i, now, m.group());
                }
            }
        }
    }

    private boolean[] applies(String app) {
        boolean[] out = new boolean[rules.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Glob.matches(rules.get(i).rule.app(), app);
        }
        return out;
    }

    /** How many (host, app) pairs are tracked now. */
    public int trackedApps() {
        return tracked.get();
    }

    /** The dedup key of rule {@code rule} for a host and app. */
    static String key(String rule, String host, String app) {
        return Signal.boundedKey("rule/" + rule + "/" + host + "/" + app);
    }

    /**
     * Marks a rule as firing for a pair whose incident was open before a restart, so it clears after
     * the rule's quiet period unless the condition recurs.
     */
    void restore(String ruleName, String host, String app, Instant now) {
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).rule.name().equals(ruleName)) {
                if (tracked.get() >= maxApps) {
                    return;
                }
                int idx = i;
                PairState st = pairs.computeIfAbsent(host + '\u0000' + app, k -> {
                    tracked.incrementAndGet();
                    return new PairState(host, app, applies(app));
                });
                synchronized (st) {
                    st.firing[idx] = true;
                    st.lastHit[idx] = now.toEpochMilli();
                }
            }
        }
    }

    /** Fires and clears rule incidents; called by the engine's tick. */
    void evaluate(Instant now, IncidentEngine.Sink sink) {
        if (rules.isEmpty()) {
            return;
        }
        long t = now.toEpochMilli();
        for (Map.Entry<String, PairState> e : pairs.entrySet()) {
            PairState st = e.getValue();
            List<Runnable> actions = new ArrayList<>(1);
            boolean idle = true;
            synchronized (st) {
                for (int i = 0; i < rules.size(); i++) {
                    if (!st.applies[i]) {
                        continue;
                    }
                    AlertConfig.Rule rule = rules.get(i).rule;
                    boolean hot = st.lastHit[i] != 0
                            && t - st.lastHit[i] < rule.quiet().toMillis();
                    if (hot && !st.firing[i]) {
                        st.firing[i] = true;
                        Signal s = signal(rule, st, i, now);
                        actions.add(() -> sink.fire(s));
                    } else if (!hot && st.firing[i]) {
                        st.firing[i] = false;
                        String key = key(rule.name(), st.host, st.app);
                        actions.add(() -> sink.clear(key, IncidentSource.RULE));
                    }
                    if (st.firing[i] || (st.lastActivity != 0 && t - st.lastActivity < forgetAfterMillis)) {
                        idle = false;
                    }
                }
                if (idle && pairs.remove(e.getKey(), st)) {
                    tracked.decrementAndGet();
                }
            }
            // Outside the pair's monitor: the engine takes its own lock.
            for (Runnable a : actions) {
                a.run();
            }
        }
    }

    private static Signal signal(AlertConfig.Rule rule, PairState st, int i, Instant now) {
        Map<String, String> labels = new LinkedHashMap<>(rule.labels());
        labels.put("rule", rule.name());
        labels.put("host", st.host);
        labels.put("app", st.app);
        Map<String, String> details = new LinkedHashMap<>();
        String summary;
        String kind;
        if (rule.type() == AlertConfig.RuleType.ERROR_RATE) {
            kind = "error_rate";
            summary = "app " + st.app + " on " + st.host + ": " + st.peak[i] + " error records within "
                    + io.spillway.config.Durations.format(rule.window()) + " (threshold " + rule.threshold() + ")";
            details.put("count", Long.toString(st.peak[i]));
            details.put("threshold", Integer.toString(rule.threshold()));
            details.put("window", io.spillway.config.Durations.format(rule.window()));
        } else {
            kind = "pattern";
            String m = st.match[i] == null ? "" : st.match[i];
            summary = "app " + st.app + " on " + st.host + ": pattern rule " + rule.name() + " matched \"" + m + "\"";
            details.put("match", m);
            details.put("pattern", rule.pattern());
        }
        labels.put("kind", kind);
        return new Signal(
                IncidentSource.RULE,
                key(rule.name(), st.host, st.app),
                kind,
                rule.severity(),
                summary,
                st.host,
                st.app,
                labels,
                details,
                null,
                now);
    }

    private record Compiled(AlertConfig.Rule rule, @Nullable Pattern pattern) {}

    /** Per (host, app) counters; guarded by its own monitor. */
    private final class PairState {
        final String host;
        final String app;
        final boolean[] applies;
        final long[] windowStart;
        final long[] count;
        final long[] peak;
        final long[] lastHit;
        final boolean[] firing;
        final @Nullable String[] match;
        long lastActivity;

        PairState(String host, String app, boolean[] applies) {
            this.host = host;
            this.app = app;
            this.applies = applies;
            int n = rules.size();
            windowStart = new long[n];
            count = new long[n];
            peak = new long[n];
            lastHit = new long[n];
            firing = new boolean[n];
            match = new String[n];
        }

        synchronized void count(int i, long now, long window, int threshold) {
            lastActivity = now;
            if (now - windowStart[i] >= window || now < windowStart[i]) {
                windowStart[i] = now - Math.floorMod(now, window);
                count[i] = 0;
            }
            if (++count[i] > threshold) {
                lastHit[i] = now;
                peak[i] = count[i];
            }
        }

        synchronized void matched(int i, long now, String text) {
            lastActivity = now;
            lastHit[i] = now;
            match[i] = text.length() > MAX_MATCH ? text.substring(0, MAX_MATCH) + "…" : text;
        }
    }
}
