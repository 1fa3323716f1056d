package io.spillway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The incident API's client for {@code spillway incidents}, {@code ack} and {@code resolve}, over the
 * CLI's one {@link ApiClient}. Errors become a {@link LogClient.Failure} whose message says what to do.
 * Not thread-safe; one per command.
 */
final class IncidentClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiClient api;
    private final ApiOptions.Target target;

    IncidentClient(ApiOptions.Target target) {
        this.api = new ApiClient(target);
        this.target = target;
    }

    /** {@code GET /api/v1/incidents?params}. */
    JsonNode list(Map<String, String> params) throws LogClient.Failure, InterruptedException {
        return send("GET", api.uri("/api/v1/incidents", params), null, 0);
    }

    /** {@code GET /api/v1/incidents/{id}}, with the timeline. */
    JsonNode show(long id) throws LogClient.Failure, InterruptedException {
        return send("GET", api.uri("/api/v1/incidents/" + id, Map.of()), null, id);
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
        return send("POST", api.uri("/api/v1/incidents/" + id + "/" + action, Map.of()), body.toString(), id);
    }

    private JsonNode send(String method, URI uri, @Nullable String body, long id)
            throws LogClient.Failure, InterruptedException {
        HttpRequest.Builder b = api.request(uri).timeout(Duration.ofSeconds(30));
        if (body == null) {
            b.GET();
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> r = api.send(b.build(), HttpResponse.BodyHandlers.ofString());
        String detail = ApiClient.errorOf(r.body());
        switch (r.statusCode()) {
            case 200, 201 -> {
                return api.json(r.body());
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
}
