package io.spillway.node;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.spillway.admission.DropCounter;
import io.spillway.buffer.Buffer;
import io.spillway.buffer.FairBuffer;
import io.spillway.clock.SystemClock;
import io.spillway.config.ConfigException;
import io.spillway.diskguard.DiskGuard;
import io.spillway.event.EventBus;
import io.spillway.event.EventRecords;
import io.spillway.guard.DropLedger;
import io.spillway.guard.Guard;
import io.spillway.guard.GuardConfig;
import io.spillway.guard.Ticker;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.InflightMemory;
import io.spillway.pipeline.Input;
import io.spillway.pipeline.InputMetrics;
import io.spillway.pipeline.Output;
import io.spillway.pipeline.OutputWorker;
import io.spillway.pipeline.Pipeline;
import io.spillway.pipeline.PipelineWatch;
import io.spillway.server.HttpServer;
import io.spillway.server.auth.AdminToken;
import io.spillway.server.auth.TokenStore;
import io.spillway.space.SpaceAccountant;
import io.spillway.space.SpaceFloor;
import io.spillway.space.SpaceWriter;
import io.spillway.store.LogReader;
import io.spillway.store.StoreOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Spillway process in the standalone role ({@code spillway run}): inputs, guard, one
 * buffer per output, outputs, the HTTP server, and alerting (incident engine, notifiers, self-test,
 * outbound heartbeat; see {@link Alerting}).
 *
 * <p>Lifecycle: {@link #start} takes the data dir lock, starts outputs, inputs, HTTP, alerting, then
 * the disk guard, and only then reports ready. {@link #stop} is idempotent: not ready, inputs stop, buffers drain into outputs
 * for at most {@code shutdown_drain}, HTTP stops last (so /metrics shows the drain).
 */
public final class Node implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Node.class);

    private final NodeConfig config;
    private final Path dataDir;
    private final String host;
    private final Metrics metrics = new Metrics();
    private final DropLedger drops;
    private final Guard guard;
    private final List<Input> inputs = new ArrayList<>();
    private final List<OutputWorker> outputs = new ArrayList<>();
    private final Pipeline pipeline;
    private final @Nullable HttpServer http;
    private final EventBus events = new EventBus();
    private final @Nullable DiskGuard diskGuard;
    private final Scheduler scheduler = new Scheduler();
    private final List<InputMetrics> inputMetrics = new ArrayList<>();
    private final AtomicBoolean ready = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private @Nullable DataDirLock lock;
    private final TokenStore tokens;
    private volatile @Nullable String firstAdminToken;
    private final @Nullable StoreOutput storeOutput;
    private final Alerting alerting;
    private final SpaceAccountant space;
    private final SpaceWriter incidentSpace;
    private final InflightMemory inflight;
    /** The node's one wall clock, handed to every component it builds. */
    private final InstantSource clock = SystemClock.instantSource();

    private @Nullable InputMetrics httpMetrics;

    /**
     * Builds the node and its components (nothing is bound, opened or started before {@link #start}).
     *
     * @throws ConfigException naming every component that could not be built, all at once
     */
    public Node(NodeConfig config) throws ConfigException {
        this.config = config;
        this.dataDir = config.dataDir().toAbsolutePath().normalize();
        this.host = config.host().isEmpty() ? localHostName() : config.host();
        // Every file the node writes reserves its bytes here first (G4); floors are checked in start().
        this.space = SpaceAccountant.system(config.space(), metrics);
        this.tokens = TokenStore.inDataDir(dataDir, clock, Floors.tokens(space, config, dataDir));
        this.incidentSpace = Floors.incidents(space, config, dataDir);
        JvmMetrics.builder().register(metrics.registry());
        GuardConfig gc = config.guard();
        // The ledger first: Guard.create registers its stages' drop wording with it.
        this.drops = new DropLedger(gc.markers(), gc.maxApps(), host, clock, new DropCounter(metrics, gc.maxApps()));
        // Only the buffers report corrupt drops here: the store writes its own, more precise markers.
        drops.describeReason("corrupt", app -> "lost to corrupt buffer spill files (see the log and quarantine/)");
        this.guard = Guard.create(gc, drops, Ticker.system());
        this.inflight = new InflightMemory(config.limits().inflightMemory(), metrics);
        // The components get the node's services, never the node: nothing sees it half built.
        Metrics m = metrics;
        List<InputMetrics> watched = inputMetrics;
        NodeContext ctx = new NodeContext(
                dataDir,
                host,
                metrics,
                clock,
                inflight,
                drops,
                events,
                space,
                name -> {
                    InputMetrics im = new InputMetrics(m, name);
                    watched.add(im);
                    return im;
                },
                config.writtenKeys());
        List<String> problems = new ArrayList<>();
        SpaceFloor floor = config.space().minFreeSpace();
        inputs.addAll(Components.build(Components.inputs(config.inputs()), ctx, dataDir, floor, problems));
        for (Output o : Components.build(Components.outputs(config.outputs()), ctx, dataDir, floor, problems)) {
            try {
                outputs.add(worker(o));
            } catch (UncheckedIOException e) {
                problems.add("outputs." + o.name() + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        this.storeOutput = ctx.provided(StoreOutput.class);
        this.pipeline = new Pipeline(inputs, guard.stages(), outputs, metrics);
        // Events become log lines like drop markers: straight to the buffers, never rate limited.
        events.subscribe(e -> EventRecords.of(e).forEach(pipeline::toBuffers));
        this.diskGuard = Wiring.diskGuard(this);
        this.alerting = new Alerting(this);
        pipeline.observe(alerting::observe);
        this.http = config.http().enabled()
                ? new HttpServer(
                        config.http(),
                        metrics,
                        ready::get,
                        httpMetrics(),
                        inflight,
                        clock,
                        HttpServer.MIN_IDLE_TO_EVICT)
                : null;
        if (http != null && config.inputs().http().enabled()) {
            Wiring.ingest(this, http);
        }
        if (http != null && config.outputs().store().enabled()) {
            Wiring.api(this, http, this::logReader);
        }
        if (http != null) {
            Wiring.incidents(this, http, alerting::engine);
            Wiring.dashboard(this, http, this::logReader);
        }
    }

    /** The wall clock of everything this node builds. */
    InstantSource clock() {
        return clock;
    }

    /** An output with its own fair buffer under {@code <data_dir>/buffer/<output>}. */
    OutputWorker worker(Output output) {
        try {
            SpaceWriter w = Floors.buffer(space, config, dataDir, output.name());
            Buffer buffer = new FairBuffer(
                    output.name(), config.buffer(), Floors.bufferDir(dataDir, output.name()), drops, metrics, w);
            return new OutputWorker(
                    output, buffer, metrics, 1000, 1024 * 1024, OutputWorker.DEFAULT_FLUSH_INTERVAL, clock);
        } catch (IOException e) {
            throw new UncheckedIOException("buffer of output " + output.name() + ": " + e.getMessage(), e);
        }
    }

    /** The metrics of one input, kept so that the pipeline watch sees its error storms. */
    InputMetrics inputMetrics(String input) {
        InputMetrics m = new InputMetrics(metrics, input);
        inputMetrics.add(m);
        return m;
    }

    /** The HTTP listener's counters (input {@code http}): the ingest route's and the listener's own. */
    InputMetrics httpMetrics() {
        InputMetrics m = httpMetrics;
        if (m == null) {
            m = inputMetrics("http");
            httpMetrics = m;
        }
        return m;
    }

    /** The process-wide budget of bytes inputs hold in flight ({@code limits.inflight_memory}). */
    public InflightMemory inflight() {
        return inflight;
    }

    /**
     * The embedded store's read side, for the HTTP API and the CLI: null when {@code outputs.store} is
     * disabled or the node has not started yet (the store opens and recovers in {@link #start}).
     */
    public @Nullable LogReader logReader() {
        StoreOutput s = storeOutput;
        return s == null ? null : s.reader();
    }

    /**
     * Starts the node. A floor that cannot work (larger than its filesystem, or an incident store
     * floor not below the others') is a {@link io.spillway.config.ConfigException} naming the keys,
     * before anything is written.
     */
    public void start() throws Exception {
        space.check();
        lock = DataDirLock.acquire(dataDir);
        try {
            // The API is unreadable without a token: the first start creates one (docs/tokens.md).
            firstAdminToken = AdminToken.ensure(tokens, dataDir);
            pipeline.start();
            publishComponents();
            // Drop markers go straight to the buffers: the guard must not rate limit its own reports.
            drops.start(pipeline::toBuffers);
            if (http != null) {
                http.start();
            }
            // After HTTP (the default public URL needs the bound port), before the disk guard (its
            // first events must reach the engine).
            alerting.start(scheduler, httpPort());
            if (diskGuard != null) {
                scheduler.every("disk-guard", config.diskGuard().interval(), diskGuard::tick);
            }
            PipelineWatch watch = new PipelineWatch(
                    config.watch(), host, () -> Wiring.dropTotals(drops), outputs, inputMetrics, events, clock);
            scheduler.every("pipeline-watch", config.watch().interval(), watch::tick);
            scheduler.every("space", config.watch().interval(), () -> space.tick(events, host));
        } catch (Exception e) {
            stop();
            throw e;
        }
        ready.set(true);
    }

    /**
     * {@code spillway_component_info{section,name,where}} = 1 for every input and output this node runs,
     * {@code where} being what the component says of itself ({@link Input#describe}, after start: with
     * the bound ports), as in the start-up banner.
     */
    private void publishComponents() {
        io.prometheus.metrics.core.metrics.Gauge info = metrics.gauge(
                "spillway_component_info",
                "The inputs and outputs this node runs, and where each listens or writes (always 1).",
                "section",
                "name",
                "where");
        for (Input i : inputs) {
            info.labelValues("inputs", i.name(), i.describe()).set(1);
        }
        for (OutputWorker w : outputs) {
            info.labelValues("outputs", w.output().name(), w.output().describe())
                    .set(1);
        }
    }

    /** Graceful, idempotent stop; see the class comment for the order. */
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        ready.set(false);
        log.info(
                "stopping: draining buffers for at most {}",
                io.spillway.config.Durations.format(config.shutdownDrain()));
        pipeline.stopInputs();
        scheduler.close();
        // No tick runs any more: stop paging, close the incident store and the targets.
        alerting.stop();
        drops.stop(); // writes the last markers, so the drain delivers them too
        pipeline.stopOutputs(config.shutdownDrain());
        for (OutputWorker w : outputs) {
            // Persists what could not be delivered in time, so the next start delivers it.
            w.buffer().close();
        }
        if (http != null) {
            try {
                http.close();
            } catch (RuntimeException e) {
                log.warn("http: error while stopping", e);
            }
        }
        if (lock != null) {
            try {
                lock.close();
            } catch (IOException e) {
                log.warn("releasing the data dir lock failed: {}", e.getMessage());
            }
        }
        log.info("stopped");
        terminated.countDown();
    }

    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    @Override
    public void close() {
        stop();
    }

    public NodeConfig config() {
        return config;
    }

    public Path dataDir() {
        return dataDir;
    }

    public String host() {
        return host;
    }

    public Metrics metrics() {
        return metrics;
    }

    public Guard guard() {
        return guard;
    }

    public DropLedger drops() {
        return drops;
    }

    /** Where components publish {@code _spillway} events; they become log lines (and incidents). */
    public EventBus events() {
        return events;
    }

    /** The disk guard, or null when {@code disk_guard.enabled} is false. */
    public @Nullable DiskGuard diskGuard() {
        return diskGuard;
    }

    /** The incident engine, or null before {@link #start} and after {@link #stop}. */
    public io.spillway.alert.@Nullable IncidentEngine incidents() {
        return alerting.engine();
    }

    Alerting alerting() {
        return alerting;
    }

    /**
     * The floors a node of {@code config} could not work with on this machine's filesystems (larger
     * than their filesystem, an incident store floor not below the others'), one line each naming
     * the key; what {@link #start} refuses. For {@code spillway config check}.
     */
    public static java.util.List<String> floorProblems(NodeConfig config) {
        return Floors.problems(config);
    }

    /** The space accountant every file the node writes reserves its bytes through. */
    public SpaceAccountant space() {
        return space;
    }

    /** The incident store's writer (its floor below the others', see {@code alert.min_free_space}). */
    SpaceWriter incidentSpace() {
        return incidentSpace;
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    /** The API's bearer tokens ({@code <data_dir>/tokens.json}). */
    public TokenStore tokens() {
        return tokens;
    }

    /** The admin token created by this start (the first start of this data dir), or null. */
    public @Nullable String firstAdminToken() {
        return firstAdminToken;
    }

    public boolean isReady() {
        return ready.get();
    }

    /** The bound HTTP port, or -1 when HTTP is disabled. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** One line per input and output saying where it listens or writes, for the start banner. */
    public List<String> describe() {
        return Wiring.describe(this);
    }

    public List<Input> inputs() {
        return List.copyOf(inputs);
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
