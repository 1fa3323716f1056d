package io.spillway.server;

import io.javalin.Javalin;
import io.javalin.http.HttpStatus;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.spillway.clock.SystemClock;
import io.spillway.input.netty.PeerErrorLog;
import io.spillway.metrics.Metrics;
import io.spillway.pipeline.InflightMemory;
import io.spillway.pipeline.InputMetrics;
import io.spillway.pipeline.LimitsConfig;
import jakarta.servlet.DispatcherType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spillway's HTTP server: {@code /healthz} (the process is up), {@code /readyz} (the pipeline is
 * started and not stopping) and {@code /metrics} (Prometheus text format). Other components add
 * routes through {@link #routes}.
 *
 * <p>Bounds: worker threads ({@code http.max_threads}); every request body, chunked or not ({@code
 * http.max_request_body} and {@code limits.inflight_memory}, see {@link BodyLimit}); connections in all
 * and per source, and the idle, header and body timeouts ({@code http.max_connections}, {@code
 * max_connections_per_source}, {@code idle_timeout}, {@code header_timeout}, {@code body_timeout}, see
 * {@link ConnectionLimits}). Each refusal is counted in {@code spillway_input_errors{input="http",kind}}.
 */
public final class HttpServer implements AutoCloseable {
    /** An idle connection is closed for a new one over {@code http.max_connections} only when idle this long. */
    public static final Duration MIN_IDLE_TO_EVICT = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    private final HttpConfig config;
    private final Javalin app;
    private final ConnectionLimits limits;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /** With counters of its own under input {@code http} and a budget of the default {@code limits.inflight_memory}. */
    public HttpServer(HttpConfig config, Metrics metrics, BooleanSupplier ready) {
        this(
                config,
                metrics,
                ready,
                new InputMetrics(metrics, "http"),
                new InflightMemory(LimitsConfig.defaults().inflightMemory(), metrics),
                SystemClock.instantSource(),
                MIN_IDLE_TO_EVICT);
    }

    /**
     * @param errors the HTTP input's counters, where refused bodies and cut connections are counted
     * @param inflight the process-wide budget request bodies are read into
     * @param clock the clock of the header and body timeouts
     * @param minIdleToEvict how long a connection must have been idle to be closed for a new one
     */
    public HttpServer(
            HttpConfig config,
            Metrics metrics,
            BooleanSupplier ready,
            InputMetrics errors,
            InflightMemory inflight,
            InstantSource clock,
            Duration minIdleToEvict) {
        this.config = config;
        QueuedThreadPool pool = new QueuedThreadPool(config.maxThreads(), 2, 60_000);
        pool.setName("http");
        this.limits = new ConnectionLimits(
                config,
                minIdleToEvict,
                errors,
                new PeerErrorLog("http", errors, LOG, clock, Duration.ofSeconds(10)),
                clock);
        BodyLimit bodies = new BodyLimit(config.maxRequestBody().bytes(), inflight, errors);
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.jetty.threadPool = pool;
            c.http.maxRequestSize = config.maxRequestBody().bytes();
            c.useVirtualThreads = false;
            c.jetty.modifyServletContextHandler(
                    h -> h.addFilter(new FilterHolder(bodies), "/*", EnumSet.of(DispatcherType.REQUEST)));
            c.jetty.addConnector((server, http) -> {
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
                connector.setHost(config.listen().host());
                connector.setPort(config.listen().port());
                connector.setIdleTimeout(config.idleTimeout().toMillis());
                connector.addBean(limits);
                return connector;
            });
        });
        app.get("/healthz", ctx -> ctx.contentType("text/plain; charset=utf-8").result("ok\n"));
        app.get("/readyz", ctx -> {
            boolean ok = ready.getAsBoolean();
            ctx.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                    .contentType("text/plain; charset=utf-8")
                    .result(ok ? "ready\n" : "not ready\n");
        });
        app.get("/metrics", ctx -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
            writer.write(out, metrics.registry().scrape());
            ctx.contentType(writer.getContentType()).result(out.toByteArray());
        });
    }

    /** Adds routes before {@link #start}. */
    public HttpServer routes(Consumer<Javalin> adder) {
        adder.accept(app);
        return this;
    }

    public void start() throws IOException {
        try {
            app.start();
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new IOException("cannot listen on " + config.listen() + " (http.listen): " + root.getMessage(), e);
        }
        limits.start();
    }

    /** Connections open now (for tests). */
    int openConnections() {
        return limits.openConnections();
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        limits.stop();
        app.stop();
    }
}
