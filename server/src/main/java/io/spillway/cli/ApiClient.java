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

/**
 * The one HTTP transport of the CLI's API commands, under {@link LogClient} and {@link
 * IncidentClient}: the server and token {@link ApiOptions} resolved, one HTTP/1.1 client with a 5 s
 * connect timeout, the bearer header, and the failures every call shares, worded once: a server that
 * cannot be reached (retryable), an answer that is not JSON, the API's {@code {"error": ...}} detail.
 * What a status means is the caller's, since it depends on the route. Not thread-safe; one per command.
 */
final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    final ApiOptions.Target target;
    private final HttpClient http;

    ApiClient(ApiOptions.Target target) {
        this.target = target;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** {@code path} (which starts with {@code /}) under the server's base URL, with {@code params}. */
    URI uri(String path, Map<String, String> params) {
        StringBuilder sb = new StringBuilder(target.base().toString().replaceAll("/+$", "")).append(path);
        char sep = '?';
        for (Map.Entry<String, String> e : params.entrySet()) {
            sb.append(sep)
                    .append(e.getKey())
                    .append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            sep = '&';
        }
        return URI.create(sb.toString());
    }

    /** A request to {@code uri} carrying the token. */
    HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + target.token());
    }

    <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body)
            throws LogClient.Failure, InterruptedException {
        try {
            return http.send(request, body);
        } catch (IOException e) {
            String why = e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                    ? "connection refused or timed out"
                    : String.valueOf(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            throw new LogClient.Failure(
                    "cannot reach " + target.base() + " (" + target.serverOrigin() + "): " + why
                            + ". Is spillway running there? Use --server URL or SPILLWAY_URL to point elsewhere.",
                    true);
        }
    }

    /** A 2xx answer's body as JSON. */
    JsonNode json(String body) throws LogClient.Failure {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new LogClient.Failure("unexpected answer from " + target.base() + ": " + e.getMessage(), false);
        }
    }

    /** What an error answer says: the API's {@code error} field, else the start of its text. */
    static String errorOf(String body) {
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
