package io.spillway.flood;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * HTTP ingest: lines are batched into one NDJSON body of at most {@link #MAX_BATCH} lines, posted
 * when full or when the sender is about to sleep. A refused batch (429, 503) is not retried: flood
 * measures what Spillway keeps, and Spillway counts what it refused.
 */
final class HttpTransport implements Transport {
    static final int MAX_BATCH = 200;

    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI ingest;
    private final StringBuilder body = new StringBuilder(1 << 16);
    private int lines;
    long refusedBatches;

    HttpTransport(URI ingest) {
        this.ingest = ingest;
    }

    @Override
    public void send(int appIndex, String app, String line) throws IOException {
        JsonStringEncoder enc = JsonStringEncoder.getInstance();
        body.append("{\"app\":\"")
                .append(enc.quoteAsString(app))
                .append("\",\"message\":\"")
                .append(enc.quoteAsString(line))
                .append("\"}\n");
        if (++lines >= MAX_BATCH) {
            flush();
        }
    }

    @Override
    public void flush() throws IOException {
        if (lines == 0) {
            return;
        }
        HttpRequest req = HttpRequest.newBuilder(ingest)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        body.setLength(0);
        lines = 0;
        try {
            int status =
                    client.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 200) {
                refusedBatches++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
