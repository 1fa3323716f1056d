package io.spillway.alert.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Posts each notification as signed JSON to a URL ({@code type: webhook}).
 *
 * <p>The body is schema version {@value #SCHEMA_VERSION} (stable: fields are only ever added; a
 * change that removes or retypes a field bumps {@code version}):
 *
 * <pre>{@code
 * {
 *   "version": 1,
 *   "reason": "trigger",            // trigger|escalate|renotify|acknowledge|resolve|test
 *   "incident": {
 *     "id": "42",
 *     "dedup_key": "disk_watermark/node-7//var/lib/docker",
 *     "severity": "critical",       // info|warning|critical
 *     "state": "triggered",         // triggered|acknowledged|resolved
 *     "summary": "/var/lib/docker 91% used",
 *     "host": "node-7",
 *     "app": "sensors-api",         // or null
 *     "top_writer": "app sensors-api writes 3.1 GB/min to /var/lib/docker on node-7", // or null
 *     "details": {"used_percent": "91"},
 *     "ack_url": "https://spillway.example.com/ack/…",  // "" when Spillway has no public URL
 *     "url": "https://spillway.example.com/incidents/42", // or null
 *     "level": 0
 *   },
 *   "sent_at": "2026-11-26T03:12:09Z"
 * }
 * }</pre>
 *
 * <p>Headers: {@code Content-Type: application/json}, {@code X-Spillway-Timestamp: <unix seconds>}
 * and {@code X-Spillway-Signature: sha256=<hex>}, the lower-case hex HMAC-SHA256, keyed with the
 * target's secret, of the bytes {@code <timestamp>.<body>}. A receiver recomputes the HMAC over the
 * raw body it received, compares in constant time, and rejects a timestamp more than a few minutes
 * from its own clock (a captured request cannot be replayed later); remembering the signatures seen
 * within that window rejects replays inside it too. Each attempt is signed afresh.
 *
 * <p>Thread-safe: a {@link Mac} is created per attempt.
 */
public final class WebhookNotifier implements Notifier, AutoCloseable {
    public static final int SCHEMA_VERSION = 1;
    public static final String TIMESTAMP_HEADER = "X-Spillway-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Spillway-Signature";

    static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final byte[] secret;
    private final Map<String, String> headers;
    private final InstantSource clock;
    private final HttpDelivery http;

    /**
     * @param secret the resolved HMAC key (never logged)
     * @param headers extra headers, already checked against the reserved ones
     */
    public WebhookNotifier(
            String name, TargetConfig config, String secret, Map<String, String> headers, InstantSource clock) {
        this.name = name;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.headers = Map.copyOf(headers);
        this.clock = clock;
        this.http = new HttpDelivery(name, "webhook", requireUrl(config), config.connectTimeout(), config.timeout());
    }

    static URI requireUrl(TargetConfig config) {
        URI url = config.effectiveUrl();
        if (url == null) {
            throw new IllegalArgumentException("url is required");
        }
        return url;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "webhook";
    }

    @Override
    public void send(Notification n) throws NotifyException {
        Instant now = clock.instant();
        byte[] body = render(n, now);
        String timestamp = Long.toString(now.getEpochSecond());
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put(TIMESTAMP_HEADER, timestamp);
        all.put(SIGNATURE_HEADER, "sha256=" + sign(secret, timestamp, body));
        http.postJson(body, all);
    }

    /** The JSON body, schema version {@value #SCHEMA_VERSION}. */
    static byte[] render(Notification n, Instant sentAt) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", SCHEMA_VERSION);
        root.put("reason", n.reason());
        ObjectNode inc = root.putObject("incident");
        inc.put("id", n.incidentId());
        inc.put("dedup_key", n.dedupKey());
        inc.put("severity", n.severity().name().toLowerCase(Locale.ROOT));
        inc.put("state", n.state());
        inc.put("summary", n.summary());
        inc.put("host", n.host());
        inc.put("app", n.app());
        inc.put("top_writer", n.topWriter());
        ObjectNode details = inc.putObject("details");
        new java.util.TreeMap<>(n.details()).forEach(details::put);
        inc.put("ack_url", n.ackUrl());
        inc.put("url", n.incidentUrl());
        inc.put("level", n.level());
        root.put(
                "sent_at",
                sentAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString());
        try {
            return JSON.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("rendering a JSON tree cannot fail", e);
        }
    }

    /** Lower-case hex HMAC-SHA256 of {@code timestamp + "." + body}. */
    static String sign(byte[] secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JDK", e);
        }
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "webhook \"" + name + "\" → " + http.where();
    }
}
