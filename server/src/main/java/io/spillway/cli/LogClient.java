package io.spillway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spillway.thread.NamedThreadFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The read API's client for {@code spillway logs}: one query, and the SSE follow, over the CLI's one
 * {@link ApiClient}. Errors become a {@link Failure} whose message says what to do, naming the URL and
 * where the token came from. Not thread-safe; one per command.
 */
final class LogClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A follow that received nothing, not even a heartbeat, for this long is reconnected. */
    static final Duration IDLE = Duration.ofSeconds(60);

    private final ApiClient api;
    private final URI base;
    private final String tokenOrigin;

    /** A failure to report and exit with; {@code retryable} for a lost or refused connection. */
    static final class Failure extends Exception {
        final boolean retryable;

        Failure(String message, boolean retryable) {
            super(message);
            this.retryable = retryable;
        }
    }

    /** Receives a follow's events. */
    interface Events {
        void record(JsonNode record);

        void missed(long count);

        /** Lines stored while disconnected were not all replayed on reconnection. */
        void gap(String reason);
    }

    LogClient(ApiOptions.Target target) {
        this.api = new ApiClient(target);
        this.base = target.base();
        this.tokenOrigin = target.tokenOrigin();
    }

    URI uri(String app, String suffix, Map<String, String> params) {
        return api.uri("/api/v1/apps/" + URLEncoder.encode(app, StandardCharsets.UTF_8) + suffix, params);
    }

    /** {@code GET /api/v1/apps/{app}/logs}. */
    JsonNode query(String app, Map<String, String> params) throws Failure, InterruptedException {
        HttpRequest req = request(uri(app, "/logs", params), null)
                .timeout(Duration.ofSeconds(60))
                .build();
        HttpResponse<String> r = api.send(req, HttpResponse.BodyHandlers.ofString());
        check(app, r.statusCode(), r.body());
        return api.json(r.body());
    }

    /**
     * Follows {@code app} until the connection ends; returns the id of the last event received (to
     * resume from), or {@code lastEventId} if none came.
     */
    @Nullable
    String follow(String app, Map<String, String> params, @Nullable String lastEventId, Events events)
            throws Failure, InterruptedException {
        HttpRequest req = request(uri(app, "/logs/tail", params), lastEventId)
                .header("Accept", "text/event-stream")
                .build();
        HttpResponse<InputStream> r = api.send(req, HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            String body;
            try (InputStream in = r.body()) {
                body = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            } catch (IOException e) {
                body = "";
            }
            check(app, r.statusCode(), body);
        }
        String last = lastEventId;
        InputStream body = r.body();
        AtomicLong lastRead = new AtomicLong(System.nanoTime());
        // A connection that died without a FIN or RST would block readLine forever: the server sends at
        // least a heartbeat every http.tail_heartbeat (15 s), so silence for IDLE means it is gone.
        Thread watchdog = NamedThreadFactory.daemon("logs-follow-watchdog").start(() -> {
            try {
                while (System.nanoTime() - lastRead.get() < IDLE.toNanos()) {
                    Thread.sleep(1000);
                }
                body.close();
            } catch (InterruptedException | IOException e) {
                // the follow ended first
            }
        });
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            SseEvent ev = new SseEvent();
            for (String line; (line = in.readLine()) != null; ) {
                lastRead.set(System.nanoTime());
                if (!line.isEmpty()) {
                    ev.add(line);
                    continue;
                }
                if (ev.data != null) {
                    if (ev.id != null) {
                        last = ev.id;
                    }
                    dispatch(ev, events);
                }
                ev = new SseEvent();
            }
        } catch (IOException e) {
            // The connection dropped (or the watchdog closed it); the caller reconnects from `last`.
        } finally {
            watchdog.interrupt();
        }
        return last;
    }

    private static void dispatch(SseEvent ev, Events events) {
        try {
            JsonNode data = JSON.readTree(ev.data);
            switch (ev.event) {
                case "record" -> events.record(data);
                case "missed" -> events.missed(data.path("missed").asLong());
                case "gap" -> events.gap(data.path("reason").asText("?"));
                default -> {
                    // unknown event types are for newer clients
                }
            }
        } catch (IOException e) {
            // a malformed event is skipped; the stream goes on
        }
    }

    /** One event being assembled, per the EventSource parsing rules (data lines joined by newline). */
    static final class SseEvent {
        @Nullable
        String id;

        String event = "message";

        @Nullable
        String data;

        void add(String line) {
            if (line.startsWith(":")) {
                return; // comment, e.g. heartbeat
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "id" -> id = value;
                case "event" -> event = value;
                case "data" -> data = data == null ? value : data + "\n" + value;
                default -> {
                    // retry and unknown fields are ignored
                }
            }
        }
    }

    private HttpRequest.Builder request(URI uri, @Nullable String lastEventId) {
        HttpRequest.Builder b = api.request(uri);
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        return b;
    }

    private void check(String app, int status, String body) throws Failure {
        if (status == 200) {
            return;
        }
        String detail = ApiClient.errorOf(body);
        switch (status) {
            case 401 ->
                throw new Failure(
                        base + " refused the token " + tokenOrigin + " (401: " + detail
                                + "). Create one with 'spillway token create --app " + app + "'.",
                        false);
            case 403 ->
                throw new Failure(
                        "the token " + tokenOrigin + " may not read app " + app + " (403: " + detail + ")", false);
            case 404 ->
                throw new Failure(
                        "unknown app " + app + " on " + base + " (404): it has no stored logs. "
                                + "GET /api/v1/apps lists the apps.",
                        false);
            case 503 -> throw new Failure(base + " is busy (503: " + detail + ")", true);
            default -> throw new Failure(base + " answered " + status + ": " + detail, status >= 500);
        }
    }

    static Map<String, String> params() {
        return new LinkedHashMap<>();
    }
}
