package io.spillway.server;

import io.javalin.Javalin;
import io.javalin.http.HttpStatus;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.spillway.metrics.Metrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Spillway's HTTP server: {@code /healthz} (the process is up), {@code /readyz} (the pipeline is
 * started and not stopping) and {@code /metrics} (Prometheus text format). Other components add
 * routes through {@link #routes}.
 *
 * <p>Bounds: worker threads ({@code http.max_threads}) and request body ({@code http.max_request_body}).
 */
public final class HttpServer implements AutoCloseable {
    private final HttpConfig config;
    private final Javalin app;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public HttpServer(HttpConfig config, Metrics metrics, BooleanSupplier ready) {
        this.config = config;
        QueuedThreadPool pool = new QueuedThreadPool(config.maxThreads(), 2, 60_000);
        pool.setName("http");
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.jetty.threadPool = pool;
            c.http.maxRequestSize = config.maxRequestBody().bytes();
            c.useVirtualThreads = false;
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
            app.start(config.listen().host(), config.listen().port());
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new IOException("cannot listen on " + config.listen() + " (http.listen): " + root.getMessage(), e);
        }
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
