package io.spillway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real HTTP server (the JDK's) receiving Spillway's webhook notifications on loopback. Each request
 * is kept with its arrival time and whether its {@code X-Spillway-Signature} is the HMAC-SHA256 of
 * {@code <timestamp>.<body>} under the shared secret; a bad signature is answered 401, as a careful
 * receiver would. Thread-safe.
 */
final class WebhookReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One received notification. */
    record Page(Instant arrived, boolean signatureOk, JsonNode body) {
        String reason() {
            return body.path("reason").asText();
        }

        JsonNode incident() {
            return body.path("incident");
        }
    }

    private final HttpServer server;
    private final byte[] secret;
    final List<Page> pages = new CopyOnWriteArrayList<>();

    WebhookReceiver(String secret) throws Exception {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/hook", ex -> {
            Instant arrived = Instant.now();
            byte[] body = ex.getRequestBody().readAllBytes();
            String ts = ex.getRequestHeaders().getFirst("X-Spillway-Timestamp");
            String sig = ex.getRequestHeaders().getFirst("X-Spillway-Signature");
            boolean ok = ts != null && sig != null && verify(ts, body, sig);
            try {
                pages.add(new Page(arrived, ok, JSON.readTree(body)));
            } catch (Exception e) {
                pages.add(new Page(arrived, false, JSON.createObjectNode()));
            }
            ex.sendResponseHeaders(ok ? 200 : 401, -1);
            ex.close();
        });
        server.start();
    }

    private boolean verify(String ts, byte[] body, String sig) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(ts.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) '.');
            String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
            return MessageDigest.isEqual(
                    expected.getBytes(StandardCharsets.UTF_8), sig.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            return false;
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    List<Page> matching(Predicate<Page> p) {
        return pages.stream().filter(p).toList();
    }

    /** Waits until a page matches, up to {@code seconds}; returns it or null. */
    Page await(Predicate<Page> p, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (Page page : pages) {
                if (p.test(page)) {
                    return page;
                }
            }
            Thread.sleep(20);
        }
        return null;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
