package io.spillway.alert.notify;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on a free loopback port that records each request and answers from a script
 * of responses (the last one repeats). A response may hang until the server is closed, to test
 * timeouts.
 */
public final class Receiver implements AutoCloseable {
    /** One scripted answer. */
    public record Reply(int status, String body, boolean hangs) {
        public static Reply of(int status) {
            return new Reply(status, "", false);
        }

        public static Reply of(int status, String body) {
            return new Reply(status, body, false);
        }

        public static Reply hang() {
            return new Reply(0, "", true);
        }
    }

    /** One received request; header names lower-case. */
    public record Request(String method, String path, Map<String, String> headers, byte[] body) {
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    private final HttpServer server;
    private final ConcurrentLinkedDeque<Reply> script = new ConcurrentLinkedDeque<>();
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Reply last = Reply.of(200, "ok");

    public Receiver(Reply... replies) throws IOException {
        script.addAll(List.of(replies));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "receiver");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        Map<String, String> headers = new TreeMap<>();
        ex.getRequestHeaders()
                .forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
        requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(), headers, body));
        Reply r = script.pollFirst();
        if (r == null) {
            r = last;
        } else {
            last = r;
        }
        if (r.hangs()) {
            try {
                closed.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
            return;
        }
        byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(r.status(), out.length == 0 ? -1 : out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The next request, waiting up to 10 s (a bound, not a timing assertion). */
    public Request take() throws InterruptedException {
        Request r = requests.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no request arrived within 10s");
        }
        return r;
    }

    public List<Request> drain() {
        List<Request> out = new ArrayList<>();
        requests.drainTo(out);
        return out;
    }

    public int pending() {
        return requests.size();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }

    /** A port with nothing listening (bound, then released). */
    public static int deadPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
