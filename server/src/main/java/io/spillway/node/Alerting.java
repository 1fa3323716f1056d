package io.spillway.node;

import io.spillway.alert.AlertConfig;
import io.spillway.alert.IncidentEngine;
import io.spillway.alert.heartbeat.OutboundHeartbeat;
import io.spillway.alert.notify.Notifier;
import io.spillway.alert.notify.NotifierSelfTest;
import io.spillway.alert.notify.Notifiers;
import io.spillway.config.ListenAddress;
import io.spillway.pipeline.OutputWorker;
import io.spillway.record.LogRecord;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's alerting: the notification targets, the incident engine and what feeds it, the
 * notifier self-test and the outbound heartbeat ({@code alert:}; docs/incidents.md).
 *
 * <p>Wiring: the engine subscribes to the node's event bus (disk guard, drops, self-test and
 * heartbeat events), sees every record the pipeline's stages let through ({@link
 * io.spillway.pipeline.Pipeline#observe}, its record rules) and ticks every {@value #TICK_MILLIS} ms
 * on the node's scheduler. Before {@link #start} and after {@link #stop}, {@link #engine()} is null:
 * records are not observed and the HTTP routes answer 503.
 *
 * <p><b>Heartbeat of the standalone node.</b> A standalone node watches its own pipeline: every
 * {@link #livenessPeriod} it beats for its host only if every output worker thread is alive and no
 * output is stuck — an output is stuck when its buffer held records at the previous check and still
 * holds records now, with no batch delivered in between (a full disk, a store that fails every
 * write). A node whose pipeline stops delivering for {@code alert.heartbeat.silent_after} therefore
 * gets the critical host incident "silent", as a remote host would. Inputs are not checked: an idle
 * input is normal, and an input has no liveness signal of its own.
 *
 * <p>Thread-safety: {@link #start} and {@link #stop} are called by the node's lifecycle (one thread);
 * {@link #engine()} and {@link #observe} may be called from any thread.
 */
final class Alerting {
    private static final Logger log = LoggerFactory.getLogger(Alerting.class);
    static final long TICK_MILLIS = 250;
    /** The pause between a self-test's attempts on a retryable failure. */
    static final Duration SELF_TEST_RETRY = Duration.ofSeconds(10);

    private final Node node;
    private final AlertConfig config;
    private final InstantSource clock;
    private final Map<OutputWorker, long[]> lastSeen = new HashMap<>();
    private volatile @Nullable IncidentEngine engine;
    private Map<String, Notifier> notifiers = Map.of();
    private @Nullable NotifierSelfTest selfTest;
    private @Nullable OutboundHeartbeat outbound;
    private @Nullable String unhealthy;

    Alerting(Node node) {
        this.node = node;
        this.config = node.config().alert();
        this.clock = node.clock();
    }

    /**
     * {@code alert.public_url}, or {@code http://<http.listen>} with the bound port (so ack links work
     * on a default install reached on the listen address).
     */
    static String publicUrl(AlertConfig config, ListenAddress listen, int boundPort) {
        if (!config.publicUrl().isEmpty()) {
            return config.publicUrl();
        }
        String host = listen.host();
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + (boundPort > 0 ? boundPort : listen.port());
    }

    /** How often the node checks its own pipeline: a quarter of {@code silent_after}, 250 ms to 5 s. */
    static Duration livenessPeriod(AlertConfig config) {
        long ms = config.heartbeat().silentAfter().toMillis() / 4;
        return Duration.ofMillis(Math.max(TICK_MILLIS, Math.min(5000, ms)));
    }

    /**
     * Builds the targets, opens the engine and starts its feeds, the self-test and the outbound
     * heartbeat.
     *
     * @param boundPort the HTTP port (for the default public URL), or -1 without HTTP
     * @throws io.spillway.config.ConfigException if a target is invalid (every problem listed)
     */
    void start(Scheduler scheduler, int boundPort) throws Exception {
        notifiers = Notifiers.build(config.targets());
        String host = node.config().http().listen().host();
        if (config.publicUrl().isEmpty() && (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]"))) {
            log.warn(
                    "alert.public_url is not set and http.listen is a wildcard address: ack links in pages"
                            + " will read {}; set alert.public_url to the URL people reach Spillway at",
                    publicUrl(config, node.config().http().listen(), boundPort));
        }
        AlertConfig effective =
                withPublicUrl(config, publicUrl(config, node.config().http().listen(), boundPort));
        IncidentEngine e =
                IncidentEngine.open(effective, node.dataDir(), notifiers, node.metrics(), clock, node.incidentSpace());
        engine = e;
        node.events().subscribe(e.events());
        scheduler.every("incidents", Duration.ofMillis(TICK_MILLIS), e::tick);
        scheduler.every("liveness", livenessPeriod(config), this::checkLiveness);
        NotifierSelfTest t = new NotifierSelfTest(
                notifiers,
                NotifierSelfTest.periodicTargets(config.targets()),
                config.selfTestInterval(),
                SELF_TEST_RETRY,
                node.host(),
                node.events(),
                node.metrics(),
                clock);
        t.start();
        selfTest = t;
        if (config.deadMansSwitch().enabled()) {
            OutboundHeartbeat h = new OutboundHeartbeat(
                    config.deadMansSwitch(), node.host(), node.events(), node.metrics(), clock, this::status);
            h.start();
            outbound = h;
        }
    }

    private Map<String, String> status() {
        IncidentEngine e = engine;
        if (e == null) {
            return Map.of();
        }
        return Map.of("open_incidents", Integer.toString(e.openCount()));
    }

    private static AlertConfig withPublicUrl(AlertConfig c, String url) {
        return new AlertConfig(
                url,
                c.policies(),
                c.defaultPolicy(),
                c.silences(),
                c.rules(),
                c.ruleMaxApps(),
                c.heartbeat(),
                c.autoResolve(),
                c.delivery(),
                c.intake(),
                c.retention(),
                c.timelineCap(),
                c.maxOpen(),
                c.ackLinkTtl(),
                c.targets(),
                c.selfTestInterval(),
                c.deadMansSwitch(),
                c.storeDir(),
                c.minFreeSpace());
    }

    /** The pipeline's observer: every record the stages let through feeds the record rules. */
    void observe(LogRecord record) {
        IncidentEngine e = engine;
        if (e != null) {
            e.rules().observe(record);
        }
    }

    /** The engine, or null before start and after stop. */
    @Nullable
    IncidentEngine engine() {
        return engine;
    }

    /** One liveness check (see the class comment); runs on the scheduler thread. */
    void checkLiveness() {
        IncidentEngine e = engine;
        if (e == null) {
            return;
        }
        List<String> problems = stuckOutputs(node.pipeline().outputs(), lastSeen);
        String now = problems.isEmpty() ? null : String.join("; ", problems);
        if (now == null) {
            e.heartbeats().beat(node.host(), clock.instant());
            if (unhealthy != null) {
                log.info("pipeline liveness: healthy again");
            }
        } else if (!now.equals(unhealthy)) {
            log.warn(
                    "pipeline liveness: not beating ({}); after alert.heartbeat.silent_after this host's heartbeat"
                            + " incident opens",
                    now);
        }
        unhealthy = now;
    }

    /**
     * The outputs that are not running, or that delivered nothing since the previous check while
     * records waited then and still wait now; updates {@code lastSeen} (delivered batches, records
     * waiting) for the next check.
     */
    static List<String> stuckOutputs(List<OutputWorker> outputs, Map<OutputWorker, long[]> lastSeen) {
        List<String> problems = new ArrayList<>();
        for (OutputWorker w : outputs) {
            long delivered = w.deliveredBatches();
            long waiting = w.buffer().records();
            long[] last = lastSeen.get(w);
            if (!w.isAlive()) {
                problems.add("output " + w.name() + " is not running");
            } else if (last != null && last[1] > 0 && waiting > 0 && delivered == last[0]) {
                problems.add("output " + w.name() + " delivered nothing with " + waiting + " records waiting");
            }
            lastSeen.put(w, new long[] {delivered, waiting});
        }
        return problems;
    }

    /** A line for the start banner: the targets and policies. */
    String describe() {
        List<String> policies = new ArrayList<>();
        config.policies().forEach(p -> policies.add(p.name()));
        String targets = notifiers.isEmpty()
                ? "no targets (incidents are recorded, nobody is paged)"
                : "targets " + String.join(", ", notifiers.keySet());
        return "alerting " + targets + "; policies "
                + (policies.isEmpty() ? "(built-in default)" : String.join(", ", policies))
                + (config.deadMansSwitch().enabled() ? "; dead man's switch on" : "");
    }

    /**
     * Stops the self-test and outbound heartbeat, then the engine (waits briefly for deliveries in
     * flight), then the targets. Call after the scheduler has stopped (no tick runs any more).
     */
    void stop() {
        IncidentEngine e = engine;
        engine = null;
        if (selfTest != null) {
            selfTest.close();
        }
        if (outbound != null) {
            outbound.close();
        }
        if (e != null) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                log.warn("incident engine: error while closing", ex);
            }
        }
        Notifiers.closeAll(notifiers.values());
    }
}
