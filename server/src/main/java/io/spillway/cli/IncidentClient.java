package io.spillway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The incident API's client for {@code spillway incidents}, {@code ack} and {@code resolve}. Errors
 * become a {@link LogClient.Failure} whose message says what to do. Not thread-safe; one per command.
 */
final class IncidentClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiOptions.Target target;
    private final HttpClient http;

    IncidentClient(ApiOptions.Target target) {
        this.target = target;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** {@code GET /api/v1/incidents?params}. */
    JsonNode list(Map<String, String> params) throws LogClient.Failure, InterruptedException {
        StringBuilder q = new StringBuilder();
        for (Map.Entry<String, String> e : params.entrySet()) {
            q.append(q.isEmpty() ? '?' : '&')
                    .append(e.getKey())
                    .append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        return send("GET", "/api/v1/incidents" + q, null, 0);
    }

    /** {@code GET /api/v1/incidents/{id}}, with the timeline. */
    JsonNode show(long id) throws LogClient.Failure, InterruptedException {
        return send("GET", "/api/v1/incidents/" + id, null, id);
    }

    /** {@code POST /api/v1/incidents/{id}/ack} or {@code .../resolve} with {@code {"by", "via": "cli"}}. */
    JsonNode act(long id, String action, @Nullable String by) throws LogClient.Failure, InterruptedException {
        var body = JSON.createObjectNode();
        if (by != null) {
            body.put("by", by);
        }
        if (action.equals("ack")) {
            body.put("via", "cli");
        }
        return send("POST", "/api/v1/incidents/" + id + "/" + action, body.toString(), id);
    }

    private JsonNode send(String method, String path, @Nullable String body, long id)
            throws LogClient.Failure, InterruptedException {
        URI uri = URI.create(target.base().toString().replaceAll("/+$", "") + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + target.token());
        if (body == null) {
            b.GET();
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            String why = e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                    ? "connection refused or timed out"
                    : String.valueOf(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            throw new LogClient.Failure(
                    "cannot reach " + target.base() + " (" + target.serverOrigin() + "): " + why
                            + ". Is spillway running there? Use --server URL or SPILLWAY_URL to point elsewhere.",
                    true);
        }
        String detail = errorOf(r.body());
        switch (r.statusCode()) {
            case 200, 201 -> {
                try {
                    return JSON.readTree(r.body());
                } catch (IOException e) {
                    throw new LogClient.Failure(
                            "unexpected answer from " + target.base() + ": " + e.getMessage(), false);
                }
            }
            case 401 ->
                throw new LogClient.Failure(
                        target.base() + " refused the token " + target.tokenOrigin() + " (401: " + detail
                                + "). Incidents need an admin token: 'spillway token create --admin'.",
                        false);
            case 403 ->
                throw new LogClient.Failure(
                        "the token " + target.tokenOrigin() + " is not an admin token (403: " + detail
                                + "). Create one with 'spillway token create --admin'.",
                        false);
            case 404 -> throw new LogClient.Failure("no incident " + id + " on " + target.base() + " (404)", false);
            default ->
                throw new LogClient.Failure(
                        target.base() + " answered " + r.statusCode() + ": " + detail, r.statusCode() >= 500);
        }
    }

    private static String errorOf(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.hasNonNull("error")) {
                return n.get("error").asText();
            }
        } catch (IOException e) {
            // not JSON: show the text
        }
        String t = body.strip();
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }
}
