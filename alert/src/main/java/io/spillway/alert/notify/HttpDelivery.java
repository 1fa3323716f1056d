package io.spillway.alert.notify;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One HTTP request per call, shared by the HTTP notifiers and the outbound heartbeat, bounded in time and in the bytes read back, with the retry classification
 * every HTTP notifier shares: 2xx delivered; 408, 429 and 5xx and connection failures retryable;
 * redirects and other 4xx not (retrying a wrong URL or a refused key cannot help).
 *
 * <p>Error messages name the target, the kind and only the scheme, host and port of the URL: Slack
 * and Mattermost webhook URLs carry their token in the path, so the path is never printed.
 *
 * <p>Bounds: connecting takes at most {@code connectTimeout}; the whole exchange (headers and body)
 * at most {@code connectTimeout + timeout}, after which it is cancelled; at most {@link
 * #MAX_EXCERPT} bytes of the response are kept (the rest is read and discarded). Thread-safe.
 */
public final class HttpDelivery implements AutoCloseable {
    /** Response bytes kept for the error message; a receiver's HTML error page is not worth more. */
    static final int MAX_EXCERPT = 512;

    private final String target;
    private final String kind;
    private final URI uri;
    private final String where;
    private final Duration timeout;
    private final Duration connectTimeout;
    private final HttpClient client;

    /**
     * @param target the target's name, for messages
     * @param kind the kind, for messages (e.g. {@code webhook}, {@code heartbeat})
     */
    public HttpDelivery(String target, String kind, URI uri, Duration connectTimeout, Duration timeout) {
        this.target = target;
        this.kind = kind;
        this.uri = uri;
        this.timeout = timeout;
        this.connectTimeout = connectTimeout;
        this.where = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                // HTTP/1.1 everywhere: no h2c upgrade headers on plain http, which some receivers and
                // proxies mishandle; a page is one small request, HTTP/2 buys nothing here.
                .version(HttpClient.Version.HTTP_1_1)
                // A redirected POST turns into a GET on most servers: report it instead of following.
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The scheme, host and port of the URL (never the path, which may hold a token). */
    public String where() {
        return where;
    }

    /**
     * Posts {@code body} as {@code application/json} and returns the response status (always 2xx).
     *
     * @throws NotifyException on any other status, a timeout or a connection failure
     */
    public int postJson(byte[] body, Map<String, String> headers) throws NotifyException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "spillway")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return send(b.build());
    }

    /** Sends a bodiless GET; same classification as {@link #postJson}. */
    public int get() throws NotifyException {
        return send(HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("User-Agent", "spillway")
                .GET()
                .build());
    }

    private int send(HttpRequest request) throws NotifyException {
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request, info -> new Excerpt(MAX_EXCERPT));
        HttpResponse<byte[]> response;
        try {
            response = future.get(connectTimeout.plus(timeout).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new NotifyException(prefix() + "interrupted", true, e);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new NotifyException(
                    prefix() + "no complete response within " + describe(connectTimeout.plus(timeout)), true, e);
        } catch (ExecutionException e) {
            throw failure(e.getCause() == null ? e : e.getCause());
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return status;
        }
        String excerpt = excerpt(response.body());
        String message = prefix() + "HTTP " + status + (excerpt.isEmpty() ? "" : ": " + excerpt);
        if (status >= 300 && status < 400) {
            String location = response.headers().firstValue("Location").orElse("?");
            throw new NotifyException(
                    prefix() + "HTTP " + status + " redirect to " + redactPath(location)
                            + " (redirects are not followed; configure the final URL)",
                    false);
        }
        throw new NotifyException(message, retryable(status));
    }

    /** 408 Request Timeout, 429 Too Many Requests and every 5xx may succeed later. */
    static boolean retryable(int status) {
        return status == 408 || status == 429 || status >= 500;
    }

    private NotifyException failure(Throwable cause) {
        if (cause instanceof HttpTimeoutException) {
            // The JDK client reports an expired request timeout as a connect timeout when the
            // connection was still being set up or reused, so name both limits rather than guess.
            return new NotifyException(
                    prefix() + "no response within the time limits (connect_timeout " + describe(connectTimeout)
                            + ", timeout " + describe(timeout) + "): " + cause.getMessage(),
                    true,
                    cause);
        }
        if (cause instanceof ConnectException) {
            return new NotifyException(
                    prefix() + "connection refused or unreachable (" + cause.getMessage() + ")", true, cause);
        }
        if (cause instanceof IOException) {
            return new NotifyException(
                    prefix() + cause.getClass().getSimpleName() + ": " + cause.getMessage(), true, cause);
        }
        return new NotifyException(prefix() + cause, true, cause);
    }

    private String prefix() {
        return kind + " target \"" + target + "\" (" + where + "): ";
    }

    private static String describe(Duration d) {
        return io.spillway.config.Durations.format(d);
    }

    private static String redactPath(String location) {
        try {
            URI u = URI.create(location);
            if (u.getHost() == null) {
                return "a relative location";
            }
            return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()) + "/…";
        } catch (IllegalArgumentException e) {
            return "an invalid location";
        }
    }

    /** The response's first bytes as one printable line. */
    static String excerpt(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) ? ' ' : c);
        }
        return sb.toString().strip();
    }

    @Override
    public void close() {
        client.close();
    }

    /** Keeps the first {@code max} bytes of a body and discards the rest, so any response is bounded. */
    private static final class Excerpt implements HttpResponse.BodySubscriber<byte[]> {
        private final byte[] kept;
        private int size;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();

        Excerpt(int max) {
            this.kept = new byte[max];
        }

        @Override
        public java.util.concurrent.CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer item : items) {
                int n = Math.min(item.remaining(), kept.length - size);
                item.get(kept, size, n);
                size += n;
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(java.util.Arrays.copyOf(kept, size));
        }
    }
}
