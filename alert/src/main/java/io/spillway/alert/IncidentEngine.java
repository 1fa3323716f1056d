package io.spillway.alert;

import io.prometheus.metrics.core.metrics.Counter;
import io.spillway.alert.intake.AlertmanagerIntake;
import io.spillway.alert.intake.EventsApiIntake;
import io.spillway.alert.notify.Notification;
import io.spillway.alert.notify.Notifier;
import io.spillway.alert.notify.NotifyException;
import io.spillway.alert.signal.IncidentSource;
import io.spillway.alert.signal.Signal;
import io.spillway.event.Event;
import io.spillway.event.EventSeverity;
import io.spillway.event.Events;
import io.spillway.metrics.Metrics;
import io.spillway.space.SpaceWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incident engine: turns conditions from every source into incidents, routes each to an
 * escalation policy, pages its levels until someone acknowledges, and records everything in the
 * incident's timeline (DESIGN.md §10).
 *
 * <h2>Time and threads</h2>
 *
 * All time comes from the injected {@link InstantSource}. The engine does nothing on its own: the
 * node calls {@link #tick()} from one scheduler thread (every ~250 ms); a tick drains queued events,
 * evaluates heartbeats and record rules, escalates due incidents, un-mutes incidents whose silence
 * ended, hands due notifications to the delivery executor, records delivery outcomes, and prunes
 * old incidents once an hour. Tests drive it with a fake clock and call {@code tick()} directly.
 *
 * <p>Public methods are thread-safe; state changes happen under one lock (the engine's monitor) and
 * are written to SQLite before the method returns. Notifier calls never run under the lock: a tick
 * hands them to {@link Deliveries} (pending jobs, the bounded delivery executor, outcomes and
 * retries; a slow target holds only its own thread), whose outcomes the next tick turns into
 * timeline entries. The engine decides who is paged and when; {@code Deliveries} only sends. The
 * hot-path entry
 * points — {@link #events()}, {@link RecordRules#observe}, {@link Heartbeats#beat} — never take the
 * lock; they update bounded state that the tick reads.
 *
 * <h2>Lifecycle</h2>
 *
 * <ul>
 *   <li><b>Dedup</b>: a trigger whose key has an open incident updates it (timeline {@code updated}
 *       when summary or severity changed) and does not page again.
 *   <li><b>Flapping</b>: a trigger whose key's latest incident resolved less than the policy's {@code
 *       renotify} ago reopens that incident; it pages only if its last page is at least {@code
 *       renotify} old, otherwise the page is deferred until then (and skipped if the condition clears
 *       again before). So a flapping condition pages at most once per {@code renotify}.
 *   <li><b>Escalation</b>: level 0 is paged on trigger; after a level's {@code delay} without
 *       acknowledgement the next level is paged; after the last level, {@code repeat} decides
 *       (start over at level 0, or stop). Critical host incidents (no app, severity critical) page
 *       every target at every level. Level {@code -1} means "waiting for the first page" (flap
 *       deferral).
 *   <li><b>Inhibition</b>: a per-app incident on a host with an open host incident (no app) is
 *       attached to it (timeline on both) and does not page; if the host incident resolves first, the
 *       attached incidents are released and page on their own.
 *   <li><b>Silences</b>: an incident matching an active silence is recorded but does not page; when
 *       the silence ends while the incident is open and unacknowledged, it pages from level 0.
 *   <li><b>Delivery</b>: each notification is one job per target, tried up to {@code
 *       delivery.max_attempts} times with exponential backoff and jitter; every attempt's outcome is a
 *       timeline entry; a non-retryable failure stops at once. Pending jobs are bounded by {@code
 *       delivery.max_pending}; they are not persisted (after a restart, escalation goes on from the
 *       persisted level and next escalation time).
 * </ul>
 */
public final class IncidentEngine implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(IncidentEngine.class);
    /** Events queued between ticks; beyond it events are dropped, logged and counted. */
    static final int EVENT_QUEUE = 10_000;

    private static final Duration PRUNE_EVERY = Duration.ofHours(1);

    private final AlertConfig config;
    private final IncidentStore store;
    private final AckTokens tokens;
    private final Map<String, Notifier> targets;
    private final InstantSource clock;
    private final RecordRules rules;
    private final Heartbeats heartbeats;

    private final Map<Long, IncidentRow> open = new HashMap<>();
    private final Map<String, IncidentRow> openByKey = new HashMap<>();
    private final List<Silence> silences = new ArrayList<>();
    /** Pending jobs, attempts in flight, outcomes and retries; see its class comment for locking. */
    private final Deliveries deliveries;

    private final BlockingQueue<Event> eventQueue = new ArrayBlockingQueue<>(EVENT_QUEUE);
    private final AtomicLongArray openBySeverity = new AtomicLongArray(EventSeverity.values().length);
    private @Nullable Instant lastPrune;
    private boolean closed;

    private final Counter triggered;
    private final Counter dropped;
    private final Counter tickErrors;

    /**
     * Opens the engine over {@code <dataDir>/incidents.db} and {@code <dataDir>/alert-ack.key}, with
     * its own delivery thread pool ({@code delivery.threads}).
     *
     * @param targets the configured notification targets by name; policies may only name these
     */
    public static IncidentEngine open(
            AlertConfig config, Path dataDir, Map<String, Notifier> targets, Metrics metrics, InstantSource clock)
            throws IOException {
        return open(
                config,
                dataDir,
                targets,
                metrics,
                clock,
                SpaceWriter.unaccounted("incidents", config.resolveStoreDir(dataDir)));
    }

    /**
     * Opens the engine over {@code <alert.store_dir>/incidents.db} (the data dir by default) and
     * {@code <dataDir>/alert-ack.key}; every write to the incident store reserves its bytes through
     * {@code space} (registered with {@code alert.min_free_space}).
     */
    public static IncidentEngine open(
            AlertConfig config,
            Path dataDir,
            Map<String, Notifier> targets,
            Metrics metrics,
            InstantSource clock,
            SpaceWriter space)
            throws IOException {
        return new IncidentEngine(
                config,
                config.resolveStoreDir(dataDir).resolve("incidents.db"),
                dataDir.resolve("alert-ack.key"),
                targets,
                metrics,
                clock,
                null,
                RandomGenerator.getDefault(),
                space);
    }

    /**
     * Opens the engine.
     *
     * @param dbFile the SQLite file (created if absent)
     * @param keyFile the ack-link secret (created 0600 if absent)
     * @param executor runs notifier calls; {@code null} for an owned pool of {@code delivery.threads}
     *     named threads (shut down by {@link #close()}); tests pass {@code Runnable::run}
     * @param random the jitter source for retry backoff
     * @throws IllegalArgumentException if a policy names a target that is not configured
     */
    public IncidentEngine(
            AlertConfig config,
            Path dbFile,
            Path keyFile,
            Map<String, Notifier> targets,
            Metrics metrics,
            InstantSource clock,
            @Nullable Executor executor,
            RandomGenerator random)
            throws IOException {
        this(
                config,
                dbFile,
                keyFile,
                targets,
                metrics,
                clock,
                executor,
                random,
                SpaceWriter.unaccounted("incidents", dbFile));
    }

    /** As above, with every incident store write reserving its bytes through {@code space}. */
    public IncidentEngine(
            AlertConfig config,
            Path dbFile,
            Path keyFile,
            Map<String, Notifier> targets,
            Metrics metrics,
            InstantSource clock,
            @Nullable Executor executor,
            RandomGenerator random,
            SpaceWriter space)
            throws IOException {
        this.config = config;
        this.targets = new TreeMap<>(targets);
        checkTargets(config, this.targets);
        if (this.targets.isEmpty()) {
            log.warn("incident engine: no notification targets are configured (alert.targets); incidents are"
                    + " recorded but nobody is paged");
        }
        this.clock = clock;
        this.tokens = AckTokens.load(keyFile);
        this.store = new IncidentStore(dbFile, config.timelineCap(), space);
        this.rules = new RecordRules(config.rules(), config.ruleMaxApps(), clock, metrics);
        this.heartbeats = new Heartbeats(config.heartbeat(), metrics);
        this.deliveries = new Deliveries(config.delivery(), executor, random, metrics);
        triggered = metrics.counter("spillway_alert_incidents_triggered", "Incidents opened, per source.", "source");
        dropped = metrics.counter(
                "spillway_alert_signals_dropped",
                "Conditions or notifications the engine could not take, per reason.",
                "reason");
        tickErrors = metrics.counter(
                "spillway_alert_tick_errors", "Failures inside the incident engine's tick, per step.", "step");
        metrics.gaugeCallback(
                "spillway_alert_incidents_open",
                "Open (triggered or acknowledged) incidents, per severity.",
                cb -> {
                    for (EventSeverity s : EventSeverity.values()) {
                        cb.call(openBySeverity.get(s.ordinal()), s.name().toLowerCase(java.util.Locale.ROOT));
                    }
                },
                "severity");
        synchronized (this) {
            for (IncidentRow r : store.loadOpen()) {
                track(r);
                // Sources keep their firing state in memory; tell them what was firing before the
                // restart so the conditions can still clear.
                if (r.source == IncidentSource.HEARTBEAT) {
                    heartbeats.restore(r.host);
                } else if (r.source == IncidentSource.RULE && r.app != null && r.labels.containsKey("rule")) {
                    rules.restore(r.labels.get("rule"), r.host, r.app, clock.instant());
                }
            }
            silences.addAll(store.silences());
            loadConfigSilences();
        }
    }

    private static void checkTargets(AlertConfig config, Map<String, Notifier> targets) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < config.policies().size(); i++) {
            AlertConfig.Policy p = config.policies().get(i);
            for (int l = 0; l < p.levels().size(); l++) {
                for (String t : p.levels().get(l).targets()) {
                    if (!targets.containsKey(t)) {
                        problems.add("alert.policies[" + i + "].levels[" + l + "].targets: no target named \"" + t
                                + "\"; configured are " + targets.keySet());
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
    }

    private void loadConfigSilences() {
        // File silences are identified by their content, so a restart does not duplicate them.
        for (AlertConfig.SilenceEntry e : config.silences()) {
            boolean known = false;
            for (Silence s : silences) {
                if (s.createdBy().equals("config")
                        && s.matcher().equals(e.matcher())
                        && s.starts().equals(e.startsAt())
                        && s.ends().equals(e.endsAt())) {
                    known = true;
                    break;
                }
            }
            if (!known) {
                Silence s = new Silence(0, e.matcher(), e.startsAt(), e.endsAt(), "config", e.comment(), null);
                silences.add(withId(s, store.insertSilence(s)));
            }
        }
    }

    private static Silence withId(Silence s, long id) {
        return new Silence(id, s.matcher(), s.starts(), s.ends(), s.createdBy(), s.comment(), s.expiredAt());
    }

    // ---------------------------------------------------------------- sources

    /**
     * The subscriber for Spillway's own events: {@code FIRING} triggers (dedup key {@link
     * Event#key()}), {@code CLEARED} clears. Never blocks: events are queued (at most {@value
     * #EVENT_QUEUE}) and handled by the next tick; overflow is logged and counted.
     */
    public Events events() {
        return event -> {
            if (!eventQueue.offer(event)) {
                dropped.labelValues("event_queue_full").inc();
                log.warn(
                        "incident engine: event queue full ({}), dropped {} {}",
                        EVENT_QUEUE,
                        event.key(),
                        event.state());
            }
        };
    }

    /** The record rules; the node calls {@link RecordRules#observe} for every accepted record. */
    public RecordRules rules() {
        return rules;
    }

    /** Host liveness; the node calls {@link Heartbeats#beat} whenever a host's pipeline shows life. */
    public Heartbeats heartbeats() {
        return heartbeats;
    }

    /**
     * One alert of a valid Alertmanager webhook payload ({@code POST /api/v1/alerts/alertmanager},
     * parsed and answered by {@link AlertmanagerIntake#handle}): firing triggers, resolved clears.
     */
    public void applyAlertmanager(AlertmanagerIntake.Item item) {
        if (item.firing()) {
            trigger(item.signal());
        } else {
            clear(item.signal().dedupKey(), IncidentSource.ALERTMANAGER);
        }
    }

    /**
     * A valid PagerDuty Events API v2 event ({@code POST /api/v1/alerts/events}, parsed and answered
     * by {@link EventsApiIntake#handle}).
     *
     * @throws IllegalArgumentException if {@code parsed} is an error answer
     */
    public void applyEvent(EventsApiIntake.Parsed parsed) {
        if (parsed.error() != null) {
            throw new IllegalArgumentException("an invalid event cannot be applied: " + parsed.error());
        }
        String key = parsed.engineKey();
        switch (parsed.action()) {
            case TRIGGER -> trigger(java.util.Objects.requireNonNull(parsed.signal()));
            case ACKNOWLEDGE -> {
                IncidentRow r;
                synchronized (this) {
                    r = openByKey.get(key);
                }
                if (r != null) {
                    acknowledge(r.id, "events_api", "events_api");
                }
            }
            case RESOLVE -> clear(key, IncidentSource.EVENTS_API);
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Reports a firing condition: opens an incident, updates the open one with the same key, or
     * reopens a recently resolved one (flapping).
     *
     * @return the incident, or empty if it was refused because {@code max_open} incidents are open
     */
    public synchronized Optional<Incident> trigger(Signal s) {
        Instant now = clock.instant();
        IncidentRow r = openByKey.get(s.dedupKey());
        if (r != null) {
            boolean changed = !r.summary.equals(s.summary()) || r.severity != s.severity();
            boolean detailsChanged = !r.details.equals(s.details())
                    || (s.topWriter() != null && !s.topWriter().equals(r.topWriter));
            boolean worse = s.severity().compareTo(r.severity) > 0;
            untrack(r);
            applySignal(r, s);
            r.updated = now;
            track(r);
            if (changed) {
                timeline(
                        r,
                        now,
                        TimelineEntry.Type.UPDATED,
                        "updated: " + s.summary(),
                        Map.of("severity", label(s.severity())));
            }
            if (worse && r.state == IncidentState.TRIGGERED && r.silenceId == 0 && r.parentId == 0 && r.level >= 0) {
                // The condition got worse: page the current level again (everyone, if it is now a
                // critical host incident) instead of waiting for the next escalation.
                page(r, "escalate", now);
            }
            if (changed || detailsChanged) {
                // A repeat of the same condition (Alertmanager re-sends firing groups) costs no write.
                store.update(r);
            }
            return Optional.of(r.snapshot());
        }
        if (open.size() >= config.maxOpen()) {
            dropped.labelValues("max_open").inc();
            log.warn("incident engine: {} incidents are open (alert.max_open), refused {}", open.size(), s.dedupKey());
            return Optional.empty();
        }
        IncidentRow last = store.latest(s.dedupKey());
        if (last != null && last.resolvedAt != null) {
            AlertConfig.Policy p = policy(last);
            if (now.isBefore(last.resolvedAt.plus(p.renotify()))) {
                return Optional.of(reopen(last, s, p, now).snapshot());
            }
        }
        r = new IncidentRow();
        r.dedupKey = s.dedupKey();
        r.kind = s.kind();
        r.severity = s.severity();
        r.summary = s.summary();
        r.details = s.details();
        r.host = s.host();
        r.app = s.app();
        r.labels = s.labels();
        r.source = s.source();
        r.topWriter = s.topWriter();
        r.created = now;
        r.updated = now;
        r.state = IncidentState.TRIGGERED;
        r.policy = route(r.snapshot()).name();
        store.insert(r);
        track(r);
        triggered.labelValues(s.source().label()).inc();
        Map<String, String> data = new LinkedHashMap<>();
        data.put("source", s.source().label());
        data.put("severity", label(s.severity()));
        data.put("policy", r.policy);
        timeline(r, now, TimelineEntry.Type.TRIGGERED, s.summary(), data);
        if (!mutedOrAttached(r, now)) {
            page(r, "trigger", now);
        }
        store.update(r);
        return Optional.of(r.snapshot());
    }

    /** Takes a signal's summary, severity, details and (when it names one) top writer. */
    private static void applySignal(IncidentRow r, Signal s) {
        r.summary = s.summary();
        r.severity = s.severity();
        r.details = s.details();
        if (s.topWriter() != null) {
            r.topWriter = s.topWriter();
        }
    }

    private IncidentRow reopen(IncidentRow r, Signal s, AlertConfig.Policy p, Instant now) {
        r.state = IncidentState.TRIGGERED;
        applySignal(r, s);
        r.ackedAt = null;
        r.ackedBy = null;
        r.ackedVia = null;
        r.resolvedAt = null;
        r.resolvedBy = null;
        r.parentId = 0;
        r.silenceId = 0;
        r.level = 0;
        r.round = 0;
        r.updated = now;
        track(r);
        timeline(r, now, TimelineEntry.Type.RETRIGGERED, "fired again (flapping): " + s.summary(), Map.of());
        if (!mutedOrAttached(r, now)) {
            Instant allowed = r.lastNotified == null ? now : r.lastNotified.plus(p.renotify());
            if (!now.isBefore(allowed)) {
                page(r, "renotify", now);
            } else {
                // Deferred: the tick pages level 0 at `allowed` unless it clears before.
                r.level = -1;
                r.nextEscalation = allowed;
            }
        }
        store.update(r);
        return r;
    }

    /** Applies silences and inhibition to a fresh or reopened incident; true if it must not page now. */
    private boolean mutedOrAttached(IncidentRow r, Instant now) {
        if (applySilence(r, now)) {
            return true;
        }
        if (r.app != null) {
            for (IncidentRow h : open.values()) {
                if (h.app == null && h.id != r.id && h.host.equals(r.host) && !r.host.isEmpty()) {
                    r.parentId = h.id;
                    r.nextEscalation = null;
                    timeline(
                            r,
                            now,
                            TimelineEntry.Type.ATTACHED,
                            "attached to host incident " + h.id + " (" + h.summary + "); not paging separately",
                            Map.of("parent", Long.toString(h.id)));
                    timeline(
                            h,
                            now,
                            TimelineEntry.Type.INHIBITED,
                            "incident " + r.id + " (" + r.summary + ") attached",
                            Map.of("child", Long.toString(r.id)));
                    store.update(h);
                    return true;
                }
            }
        }
        return false;
    }

    private @Nullable Silence silencing(IncidentRow r, Instant now) {
        if (silences.isEmpty()) {
            return null;
        }
        Incident i = r.snapshot();
        for (Silence s : silences) {
            if (s.matches(i, now)) {
                return s;
            }
        }
        return null;
    }

    /**
     * Reports that a condition ended. Resolves its open incident if {@code auto_resolve} is on for the
     * source, else records the clear in the timeline.
     *
     * @return the incident, if one was open
     */
    public synchronized Optional<Incident> clear(String dedupKey, IncidentSource source) {
        IncidentRow r = openByKey.get(dedupKey);
        if (r == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (config.autoResolve().of(source)) {
            resolve(r, "auto", now);
        } else {
            timeline(
                    r,
                    now,
                    TimelineEntry.Type.CLEARED,
                    "condition cleared; auto_resolve is off for " + source.label() + ", waiting for a person",
                    Map.of("source", source.label()));
            r.updated = now;
            store.update(r);
        }
        return Optional.of(r.snapshot());
    }

    /** {@link #clear} by dedup key for any source, as {@code resolve(dedupKey)} from a source. */
    public Optional<Incident> resolve(String dedupKey) {
        IncidentRow r;
        synchronized (this) {
            r = openByKey.get(dedupKey);
        }
        return r == null ? Optional.empty() : clear(dedupKey, r.source);
    }

    /**
     * Acknowledges an open incident: paging stops and every target already paged is told.
     * Idempotent: acknowledging an acknowledged or resolved incident changes nothing.
     *
     * @param via {@code link}, {@code cli}, {@code api} or {@code events_api}
     * @return the incident, or empty if there is none with this id
     */
    public synchronized Optional<Incident> acknowledge(long id, String who, String via) {
        IncidentRow r = open.get(id);
        if (r == null) {
            IncidentRow closedRow = store.get(id);
            return closedRow == null ? Optional.empty() : Optional.of(closedRow.snapshot());
        }
        if (r.state == IncidentState.TRIGGERED) {
            Instant now = clock.instant();
            r.state = IncidentState.ACKNOWLEDGED;
            r.ackedBy = who;
            r.ackedVia = via;
            r.ackedAt = now;
            r.nextEscalation = null;
            r.updated = now;
            timeline(
                    r,
                    now,
                    TimelineEntry.Type.ACKNOWLEDGED,
                    "acknowledged by " + who + " via " + via,
                    Map.of("by", who, "via", via));
            tell(r, "acknowledge", now);
            store.update(r);
        }
        return Optional.of(r.snapshot());
    }

    /**
     * Acknowledges the incident a signed link names ({@code GET/POST /ack/{token}}).
     *
     * @return the incident, or empty if the token is malformed, tampered with, expired or names no
     *     incident
     */
    public Optional<Incident> acknowledgeByToken(String token) {
        return acknowledgeByToken(token, "ack link");
    }

    /** As {@link #acknowledgeByToken(String)}, recording {@code who} (e.g. a name typed on the page). */
    public Optional<Incident> acknowledgeByToken(String token, String who) {
        long id = tokens.verify(token, clock.instant());
        if (id <= 0) {
            return Optional.empty();
        }
        return acknowledge(id, who, "link");
    }

    /** The incident a token names, if the token is valid (for the confirm page of {@code GET /ack}). */
    public Optional<Incident> incidentForToken(String token) {
        long id = tokens.verify(token, clock.instant());
        return id <= 0 ? Optional.empty() : get(id);
    }

    /** A signed acknowledge token for incident {@code id}, valid for {@code ack_link_ttl}. */
    public String ackToken(long id) {
        return tokens.sign(id, clock.instant().plus(config.ackLinkTtl()));
    }

    /** The acknowledge link: {@code <public_url>/ack/<token>}. */
    public String ackUrl(long id) {
        return config.publicUrl() + "/ack/" + ackToken(id);
    }

    /**
     * Resolves an incident by hand.
     *
     * @return the incident, or empty if there is none with this id
     */
    public synchronized Optional<Incident> resolve(long id, String who) {
        IncidentRow r = open.get(id);
        if (r == null) {
            IncidentRow closedRow = store.get(id);
            return closedRow == null ? Optional.empty() : Optional.of(closedRow.snapshot());
        }
        resolve(r, who, clock.instant());
        return Optional.of(r.snapshot());
    }

    private void resolve(IncidentRow r, String who, Instant now) {
        untrack(r);
        r.state = IncidentState.RESOLVED;
        r.resolvedBy = who;
        r.resolvedAt = now;
        r.nextEscalation = null;
        r.updated = now;
        timeline(
                r,
                now,
                TimelineEntry.Type.RESOLVED,
                who.equals("auto") ? "resolved: the condition cleared" : "resolved by " + who,
                Map.of("by", who));
        tell(r, "resolve", now);
        store.update(r);
        if (r.app == null) {
            for (IncidentRow child : List.copyOf(open.values())) {
                if (child.parentId == r.id) {
                    child.parentId = 0;
                    timeline(
                            child,
                            now,
                            TimelineEntry.Type.RELEASED,
                            "host incident " + r.id + " resolved; this incident now pages on its own",
                            Map.of("parent", Long.toString(r.id)));
                    if (child.state == IncidentState.TRIGGERED && !mutedOrAttached(child, now)) {
                        child.level = 0;
                        child.round = 0;
                        page(child, "trigger", now);
                    }
                    store.update(child);
                }
            }
        }
    }

    /** The incident with its timeline, or empty. */
    public synchronized Optional<Incident> get(long id) {
        IncidentRow r = open.get(id);
        if (r == null) {
            r = store.get(id);
        }
        if (r == null) {
            return Optional.empty();
        }
        List<TimelineEntry> timeline = store.timeline(id);
        if (r.timelineDropped > 0) {
            List<TimelineEntry> withMarker = new ArrayList<>(timeline.size() + 1);
            Instant at = timeline.isEmpty() ? r.created : timeline.get(0).time();
            withMarker.add(new TimelineEntry(
                    0,
                    at,
                    TimelineEntry.Type.TRUNCATED,
                    r.timelineDropped + " older entries dropped (alert.timeline_cap " + config.timelineCap() + ")",
                    Map.of("dropped", Long.toString(r.timelineDropped))));
            withMarker.addAll(timeline);
            timeline = withMarker;
        }
        return Optional.of(r.snapshot(timeline));
    }

    /** Incidents triggered or acknowledged now. */
    public synchronized int openCount() {
        return open.size();
    }

    /** Incidents the filter selects, newest first, without timelines. */
    public synchronized List<Incident> list(IncidentFilter filter) {
        List<Incident> out = new ArrayList<>();
        for (IncidentRow r : store.list(filter)) {
            IncidentRow live = open.get(r.id);
            out.add((live != null ? live : r).snapshot());
        }
        return out;
    }

    // ---------------------------------------------------------------- silences

    /**
     * Adds a silence (persisted). Open incidents that match stop paging at their next escalation.
     *
     * @throws IllegalArgumentException if {@code ends} is not after {@code starts}
     */
    public synchronized Silence addSilence(
            Match matcher, Instant starts, Instant ends, String createdBy, String comment) {
        if (!ends.isAfter(starts)) {
            throw new IllegalArgumentException("a silence must end after it starts: " + starts + " .. " + ends);
        }
        Silence s = new Silence(0, matcher, starts, ends, createdBy, comment, null);
        s = withId(s, store.insertSilence(s));
        silences.add(s);
        return s;
    }

    /** Silences not yet ended, oldest first. */
    public synchronized List<Silence> silences() {
        Instant now = clock.instant();
        List<Silence> out = new ArrayList<>();
        for (Silence s : silences) {
            if (s.activeAt(now) || now.isBefore(s.starts())) {
                out.add(s);
            }
        }
        return out;
    }

    /** Ends a silence now; false if there is no such silence. */
    public synchronized boolean expireSilence(long id) {
        Instant now = clock.instant();
        for (int i = 0; i < silences.size(); i++) {
            Silence s = silences.get(i);
            if (s.id() == id) {
                store.expireSilence(id, now);
                silences.set(
                        i, new Silence(s.id(), s.matcher(), s.starts(), s.ends(), s.createdBy(), s.comment(), now));
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- tick

    /**
     * Does everything that is due at the clock's current time; call from one thread. Each step
     * catches and logs its own failures so one bad incident cannot stop the others.
     */
    public void tick() {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        Instant now = clock.instant();
        step("events", this::drainEvents);
        step("heartbeats", () -> heartbeats.evaluate(now, sink));
        step("rules", () -> rules.evaluate(now, sink));
        synchronized (this) {
            step("escalation", () -> escalateDue(now));
            step("delivery", () -> {
                recordOutcomes(now);
                deliveries.dispatchDue(now);
            });
            if (lastPrune == null || !now.isBefore(lastPrune.plus(PRUNE_EVERY))) {
                lastPrune = now;
                prune(now);
            }
            // Outcomes of deliveries that ran inline (a direct executor) are recorded in the same tick.
            step("delivery", () -> recordOutcomes(now));
        }
    }

    private void step(String name, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            tickErrors.labelValues(name).inc();
            log.warn("incident engine: tick step {} failed: {}", name, e.toString());
        }
    }

    /** What rules and heartbeats report to. */
    interface Sink {
        void fire(Signal s);

        void clear(String key, IncidentSource source);
    }

    private final Sink sink = new Sink() {
        @Override
        public void fire(Signal s) {
            trigger(s);
        }

        @Override
        public void clear(String key, IncidentSource source) {
            IncidentEngine.this.clear(key, source);
        }
    };

    private void drainEvents() {
        List<Event> batch = new ArrayList<>();
        eventQueue.drainTo(batch);
        for (Event e : batch) {
            try {
                if (e.state() == Event.State.FIRING) {
                    trigger(signalOf(e));
                } else {
                    clear(e.key(), IncidentSource.EVENT);
                }
            } catch (RuntimeException ex) {
                log.warn("incident engine: cannot handle event {}: {}", e.key(), ex.toString());
            }
        }
    }

    static Signal signalOf(Event e) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("kind", e.kind());
        labels.put("host", e.host());
        if (e.app() != null) {
            labels.put("app", e.app());
        }
        String key = Signal.boundedKey(e.key());
        return new Signal(
                IncidentSource.EVENT,
                key,
                e.kind(),
                e.severity(),
                e.summary(),
                e.host(),
                e.app(),
                labels,
                e.details(),
                e.details().get("top_writer"),
                e.time());
    }

    private void escalateDue(Instant now) {
        for (IncidentRow r : List.copyOf(open.values())) {
            if (r.state != IncidentState.TRIGGERED || r.nextEscalation == null || now.isBefore(r.nextEscalation)) {
                if (r.silenceId != 0 && r.state == IncidentState.TRIGGERED) {
                    unsilenceIfEnded(r, now);
                }
                continue;
            }
            try {
                escalate(r, now);
            } catch (RuntimeException e) {
                log.warn("incident engine: cannot escalate incident {}: {}", r.id, e.toString());
            }
        }
    }

    private void unsilenceIfEnded(IncidentRow r, Instant now) {
        for (Silence s : silences) {
            if (s.id() == r.silenceId && s.activeAt(now)) {
                return;
            }
        }
        Silence other = silencing(r, now);
        if (other != null) {
            r.silenceId = other.id();
            store.update(r);
            return;
        }
        timeline(
                r,
                now,
                TimelineEntry.Type.UNSILENCED,
                "silence " + r.silenceId + " ended; paging starts",
                Map.of("silence", Long.toString(r.silenceId)));
        r.silenceId = 0;
        r.level = 0;
        r.round = 0;
        page(r, "trigger", now);
        store.update(r);
    }

    /** If an active silence matches, records it on the incident and stops its escalation; true then. */
    private boolean applySilence(IncidentRow r, Instant now) {
        Silence s = silencing(r, now);
        if (s == null) {
            return false;
        }
        r.silenceId = s.id();
        r.nextEscalation = null;
        timeline(
                r,
                now,
                TimelineEntry.Type.SILENCED,
                "silenced by silence " + s.id() + " (" + s.comment() + ")",
                Map.of("silence", Long.toString(s.id()), "by", s.createdBy()));
        return true;
    }

    private void escalate(IncidentRow r, Instant now) {
        if (applySilence(r, now)) {
            store.update(r);
            return;
        }
        AlertConfig.Policy p = policy(r);
        String reason;
        int next = r.level + 1;
        if (r.level < 0) {
            next = 0;
            reason = "renotify";
        } else if (next >= p.levels().size()) {
            if (!p.repeat().allows(r.round + 1)) {
                r.nextEscalation = null;
                timeline(
                        r,
                        now,
                        TimelineEntry.Type.ESCALATED,
                        "last level reached and repeat is " + p.repeat() + "; paging stops until acknowledged",
                        Map.of("level", Integer.toString(r.level), "round", Integer.toString(r.round)));
                store.update(r);
                return;
            }
            r.round++;
            next = 0;
            reason = "renotify";
        } else {
            reason = "escalate";
        }
        r.level = next;
        timeline(
                r,
                now,
                TimelineEntry.Type.ESCALATED,
                "escalated to level " + next + " (round " + r.round + ")",
                Map.of("level", Integer.toString(next), "round", Integer.toString(r.round), "reason", reason));
        page(r, reason, now);
        store.update(r);
    }

    // ---------------------------------------------------------------- paging and delivery

    /** Pages the incident's current level and schedules the next escalation. Caller writes the row. */
    private void page(IncidentRow r, String reason, Instant now) {
        AlertConfig.Policy p = policy(r);
        if (r.level < 0 || r.level >= p.levels().size()) {
            r.level = 0;
        }
        AlertConfig.Level level = p.levels().get(r.level);
        Collection<String> names = everyone(r, level) ? targets.keySet() : level.targets();
        Notification n = notification(r, reason, now);
        for (String name : names) {
            Notifier t = targets.get(name);
            if (t == null) {
                continue;
            }
            r.notified.add(name);
            enqueue(r, t, n, now);
        }
        r.lastNotified = now;
        r.nextEscalation = now.plus(level.delay());
    }

    private static boolean everyone(IncidentRow r, AlertConfig.Level level) {
        // DESIGN.md §10: critical host incidents start at "everyone" (and stay there: escalating from
        // everyone to fewer people would make no sense).
        return level.everyone() || (r.app == null && r.severity == EventSeverity.CRITICAL);
    }

    /** Tells the targets already paged about an acknowledgement or resolution. */
    private void tell(IncidentRow r, String reason, Instant now) {
        if (r.notified.isEmpty()) {
            return;
        }
        Notification n = notification(r, reason, now);
        for (String name : r.notified) {
            Notifier t = targets.get(name);
            if (t != null) {
                enqueue(r, t, n, now);
            }
        }
    }

    private Notification notification(IncidentRow r, String reason, Instant now) {
        String url = config.publicUrl();
        return new Notification(
                reason,
                Long.toString(r.id),
                r.dedupKey,
                r.severity,
                r.state.label(),
                r.summary,
                r.host,
                r.app,
                r.topWriter,
                r.details,
                ackUrl(r.id),
                url.isEmpty() ? null : url + "/incidents/" + r.id,
                Math.max(r.level, 0),
                now);
    }

    private void enqueue(IncidentRow r, Notifier target, Notification n, Instant now) {
        if (!deliveries.offer(r.id, target, n, now)) {
            dropped.labelValues("delivery_queue_full").inc();
            log.warn(
                    "incident engine: {} notifications pending (alert.delivery.max_pending), dropped {} to {}",
                    deliveries.queued(),
                    n.reason(),
                    target.name());
            timeline(
                    r,
                    now,
                    TimelineEntry.Type.DELIVERY_FAILED,
                    "not sent to " + target.name() + ": delivery queue full (alert.delivery.max_pending)",
                    Map.of("target", target.name(), "error", "queue full", "attempt", "0", "gave_up", "true"));
        }
    }

    /** Turns every finished delivery attempt into a timeline entry; caller holds the lock. */
    private void recordOutcomes(Instant now) {
        Map<Long, IncidentRow> touched = new HashMap<>();
        for (Deliveries.Outcome o; (o = deliveries.poll()) != null; ) {
            Deliveries.Job j = o.job();
            IncidentRow r = open.get(j.incidentId());
            if (r == null) {
                r = touched.get(j.incidentId());
            }
            if (r == null) {
                r = store.get(j.incidentId());
            }
            String target = j.target().name();
            // Retries stop once the engine is closed: nothing would dispatch them.
            Instant retryAt = deliveries.settle(o, now, !closed);
            NotifyException error = o.error();
            if (error == null) {
                if (r != null) {
                    Map<String, String> data = new LinkedHashMap<>();
                    data.put("target", target);
                    data.put("level", Integer.toString(j.notification().level()));
                    data.put("reason", j.notification().reason());
                    data.put("attempt", Integer.toString(j.attempt()));
                    timeline(
                            r,
                            now,
                            TimelineEntry.Type.NOTIFIED,
                            "notified " + target + " (" + j.notification().reason() + ", level "
                                    + j.notification().level() + ")",
                            data);
                }
            } else {
                Map<String, String> data = new LinkedHashMap<>();
                data.put("target", target);
                data.put("reason", j.notification().reason());
                data.put("attempt", Integer.toString(j.attempt()));
                data.put("error", String.valueOf(error.getMessage()));
                String message;
                if (retryAt != null) {
                    data.put("next_retry", retryAt.toString());
                    message = "delivery to " + target + " failed (attempt " + j.attempt() + "): " + error.getMessage()
                            + "; retrying at " + retryAt;
                } else {
                    data.put("gave_up", "true");
                    message = "delivery to " + target + " failed (attempt " + j.attempt() + "): " + error.getMessage()
                            + (error.retryable()
                                    ? "; giving up after " + j.attempt() + " attempts"
                                    : "; not retryable");
                }
                if (r != null) {
                    timeline(r, now, TimelineEntry.Type.DELIVERY_FAILED, message, data);
                }
            }
            if (r != null) {
                touched.put(r.id, r);
            }
        }
        for (IncidentRow r : touched.values()) {
            store.update(r);
        }
    }

    /** Notifications waiting (or waiting to retry), for tests and diagnostics. */
    synchronized int pendingDeliveries() {
        return deliveries.pending();
    }

    // ---------------------------------------------------------------- helpers

    private AlertConfig.Policy route(Incident i) {
        for (AlertConfig.Policy p : config.policies()) {
            if (p.match().matchesPolicy(i)) {
                return p;
            }
        }
        return config.effectiveDefaultPolicy();
    }

    private AlertConfig.Policy policy(IncidentRow r) {
        for (AlertConfig.Policy p : config.policies()) {
            if (p.name().equals(r.policy)) {
                return p;
            }
        }
        // The policy was renamed or removed since the incident opened: route it again.
        AlertConfig.Policy p = route(r.snapshot());
        r.policy = p.name();
        return p;
    }

    private void timeline(
            IncidentRow r, Instant now, TimelineEntry.Type type, String message, Map<String, String> data) {
        store.append(r, now, type, message, data);
    }

    private void track(IncidentRow r) {
        if (r.state.open() && open.put(r.id, r) == null) {
            openBySeverity.incrementAndGet(r.severity.ordinal());
        }
        if (r.state.open()) {
            openByKey.put(r.dedupKey, r);
        }
    }

    private void untrack(IncidentRow r) {
        if (open.remove(r.id) != null) {
            openBySeverity.decrementAndGet(r.severity.ordinal());
        }
        openByKey.remove(r.dedupKey, r);
    }

    private void prune(Instant now) {
        try {
            int n = store.prune(now.minus(config.retention()));
            store.pruneSilences(now.minus(config.retention()));
            silences.removeIf(s -> s.effectiveEnd().isBefore(now.minus(config.retention())));
            if (n > 0) {
                log.info("incident engine: pruned {} incidents resolved more than {} ago", n, config.retention());
            }
        } catch (RuntimeException e) {
            log.warn("incident engine: pruning failed: {}", e.toString());
        }
    }

    /** Runs retention now (the tick does it hourly); returns nothing, for tests. */
    synchronized void pruneNow() {
        prune(clock.instant());
    }

    private static String label(EventSeverity s) {
        return s.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Stops delivery (waits up to 5 s for attempts in flight) and closes the store. Pending retries
     * are abandoned; open incidents keep their persisted escalation state.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        deliveries.shutdown();
        synchronized (this) {
            recordOutcomes(clock.instant());
            store.close();
        }
    }
}
