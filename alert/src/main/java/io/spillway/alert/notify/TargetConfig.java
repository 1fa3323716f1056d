package io.spillway.alert.notify;

import io.spillway.config.Check;
import io.spillway.config.InvalidValueException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One notification target ({@code alert.targets.NAME}). One flat record for every kind, because the
 * config binder has no polymorphic binding: {@code type} says which keys apply, and the compact
 * constructor checks those keys for that type (a key of another type is refused, so a typo such as
 * {@code routing_key} on a webhook fails at start-up instead of being ignored).
 *
 * <p>Keys for every type:
 *
 * <ul>
 *   <li>{@code type} (required): {@code webhook}, {@code slack} (also Mattermost), {@code email} or
 *       {@code pagerduty}.
 *   <li>{@code timeout} (default {@code 10s}, between {@code 1ms} and {@code 5m}): how long one delivery
 *       attempt may take once connected (HTTP: until the response; SMTP: each read and write).
 *   <li>{@code connect_timeout} (default {@code 5s}, between {@code 1ms} and {@code 5m}): how long
 *       connecting may take.
 *   <li>{@code self_test} (default {@code true}): whether the periodic self-test sends a test message
 *       to this target. {@code spillway notify test NAME} works either way.
 * </ul>
 *
 * <p>{@code webhook}: a signed JSON POST (see {@link WebhookNotifier} for the schema and signature).
 *
 * <ul>
 *   <li>{@code url} (required): {@code http://} or {@code https://} URL. Shown in logs and the
 *       effective config as scheme, host and port only (see {@link SecretUrl}).
 *   <li>{@code secret} or {@code secret_env} (exactly one required): the HMAC-SHA256 key, at least 16
 *       characters; {@code secret_env} names an environment variable that holds it, so the key stays
 *       out of the config file.
 *   <li>{@code headers} (default none): extra HTTP headers, e.g. {@code Authorization}. The headers
 *       Spillway sets itself ({@code Content-Type}, {@code X-Spillway-*}) cannot be overridden.
 * </ul>
 *
 * <p>{@code slack}: a Slack or Mattermost incoming webhook (see {@link SlackNotifier}).
 *
 * <ul>
 *   <li>{@code url} (required): the incoming-webhook URL (its path is the token; never shown).
 *   <li>{@code headers} (default none): extra HTTP headers.
 * </ul>
 *
 * <p>{@code email}: SMTP (see {@link EmailNotifier}).
 *
 * <ul>
 *   <li>{@code host} (required): the SMTP server.
 *   <li>{@code port} (default {@code 0}: {@code 465} with {@code tls: true}, else {@code 587}).
 *   <li>{@code tls} (default {@code false}): implicit TLS from the first byte (SMTPS, usually port
 *       465). {@code starttls} must then be {@code off}.
 *   <li>{@code starttls} (default {@code required}): {@code required} refuses to send unless the
 *       server upgrades the connection to TLS; {@code opportunistic} upgrades when the server offers
 *       it; {@code off} never upgrades (only for a relay on the same host).
 *   <li>{@code tls_trust} (default none): host names whose certificate is accepted without
 *       verification, for a relay with a self-signed certificate; {@code "*"} trusts every host.
 *       Without it the certificate and the host name are verified against the JVM's trust store.
 *   <li>{@code username} (default none): log in with this user; then {@code password} or {@code
 *       password_env} (environment variable holding it) is required.
 *   <li>{@code from} (required): the sender address, e.g. {@code Spillway <spillway@example.com>}.
 *   <li>{@code to} (required, at least one): recipient addresses.
 *   <li>{@code subject} (default {@code [{status}] #{id} {summary} on {host}}): the subject template.
 *       Placeholders: {@code {status}} ({@code CRITICAL}, {@code WARNING}, {@code INFO} while firing;
 *       {@code ACKNOWLEDGED}, {@code RESOLVED}, {@code TEST}), {@code {severity}}, {@code {id}},
 *       {@code {summary}}, {@code {host}}, {@code {app}}, {@code {reason}}, {@code {state}}.
 *   <li>{@code html} (default {@code false}): add an HTML alternative to the plain-text body.
 * </ul>
 *
 * <p>{@code pagerduty}: PagerDuty Events API v2 (see {@link PagerDutyNotifier}).
 *
 * <ul>
 *   <li>{@code routing_key} or {@code routing_key_env} (exactly one required): the integration key of
 *       an Events API v2 integration.
 *   <li>{@code url} (default {@code https://events.pagerduty.com/v2/enqueue}): the Events API endpoint
 *       (e.g. the EU endpoint {@code https://events.eu.pagerduty.com/v2/enqueue}).
 * </ul>
 *
 * <p>{@code secret}, {@code routing_key}, {@code password} and header values are {@link Secret}s:
 * {@link #toString()} and the effective-config view show them as {@code ***}.
 */
public record TargetConfig(
        @Nullable Type type,
        @Nullable SecretUrl url,
        @Nullable Secret secret,
        @Nullable String secretEnv,
        Map<String, Secret> headers,
        Duration timeout,
        Duration connectTimeout,
        boolean selfTest,
        @Nullable Secret routingKey,
        @Nullable String routingKeyEnv,
        @Nullable String host,
        int port,
        boolean tls,
        String starttls,
        List<String> tlsTrust,
        @Nullable String username,
        @Nullable Secret password,
        @Nullable String passwordEnv,
        @Nullable String from,
        List<String> to,
        String subject,
        boolean html) {

    /** The kind of target. */
    public enum Type {
        WEBHOOK,
        SLACK,
        EMAIL,
        PAGERDUTY;

        /** The name used in config and in {@link Notifier#kind()}. */
        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Whether an SMTP connection is upgraded to TLS with STARTTLS. */
    public enum StartTls {
        REQUIRED,
        OPPORTUNISTIC,
        OFF
    }

    public static final String PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue";
    public static final String DEFAULT_SUBJECT = "[{status}] #{id} {summary} on {host}";

    /** HMAC keys shorter than this are guessable; 16 characters is the floor, 32 random bytes is better. */
    static final int MIN_SECRET_LENGTH = 16;

    /** The headers a notifier sets itself; configuring them would break the signature or the body. */
    static final List<String> RESERVED_HEADERS = List.of(
            "content-type",
            "content-length",
            "host",
            "x-spillway-timestamp",
            "x-spillway-signature",
            "connection",
            "expect",
            "upgrade");

    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}");

    /** Canonical constructor: assigns first, then validates, so the per-type checks can read fields. */
    public TargetConfig(
            @Nullable Type type,
            @Nullable SecretUrl url,
            @Nullable Secret secret,
            @Nullable String secretEnv,
            Map<String, Secret> headers,
            Duration timeout,
            Duration connectTimeout,
            boolean selfTest,
            @Nullable Secret routingKey,
            @Nullable String routingKeyEnv,
            @Nullable String host,
            int port,
            boolean tls,
            String starttls,
            List<String> tlsTrust,
            @Nullable String username,
            @Nullable Secret password,
            @Nullable String passwordEnv,
            @Nullable String from,
            List<String> to,
            String subject,
            boolean html) {
        this.type = type;
        this.url = url;
        this.secret = secret;
        this.secretEnv = secretEnv;
        this.timeout = timeout;
        this.connectTimeout = connectTimeout;
        this.selfTest = selfTest;
        this.routingKey = routingKey;
        this.routingKeyEnv = routingKeyEnv;
        this.host = host;
        this.port = port;
        this.tls = tls;
        this.starttls = starttls;
        this.username = username;
        this.password = password;
        this.passwordEnv = passwordEnv;
        this.from = from;
        this.subject = subject;
        this.html = html;
        this.headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        this.tlsTrust = List.copyOf(tlsTrust);
        this.to = List.copyOf(to);
        Duration max = Duration.ofMinutes(5);
        Check.require(
                timeout.compareTo(Duration.ofMillis(1)) >= 0 && timeout.compareTo(max) <= 0,
                "timeout",
                "must be between 1ms and 5m");
        Check.require(
                connectTimeout.compareTo(Duration.ofMillis(1)) >= 0 && connectTimeout.compareTo(max) <= 0,
                "connect_timeout",
                "must be between 1ms and 5m");
        Check.between(port, 0, 65535, "port");
        startTlsMode();
        // The defaults() instance has no type; a target written in the file must name one, which
        // Notifiers.build checks (the binder cannot tell "absent" from "default" here).
        if (type != null) {
            validateFor(type);
        }
    }

    private void validateFor(Type t) {
        switch (t) {
            case WEBHOOK -> {
                requireUrl();
                exactlyOne(secret, secretEnv, "secret", "secret_env");
                if (secret != null) {
                    Check.require(
                            secret.length() >= MIN_SECRET_LENGTH,
                            "secret",
                            "must be at least " + MIN_SECRET_LENGTH + " characters, got " + secret.length());
                }
                checkHeaders();
                refuse(t, "routing_key", routingKey, "routing_key_env", routingKeyEnv);
                refuseEmail(t);
            }
            case SLACK -> {
                requireUrl();
                checkHeaders();
                refuse(t, "secret", secret, "secret_env", secretEnv);
                refuse(t, "routing_key", routingKey, "routing_key_env", routingKeyEnv);
                refuseEmail(t);
            }
            case PAGERDUTY -> {
                exactlyOne(routingKey, routingKeyEnv, "routing_key", "routing_key_env");
                Check.require(headers.isEmpty(), "headers", "does not apply to type pagerduty");
                refuse(t, "secret", secret, "secret_env", secretEnv);
                refuseEmail(t);
            }
            case EMAIL -> {
                Check.require(url == null, "url", "does not apply to type email (use host and port)");
                Check.require(headers.isEmpty(), "headers", "does not apply to type email");
                refuse(t, "secret", secret, "secret_env", secretEnv);
                refuse(t, "routing_key", routingKey, "routing_key_env", routingKeyEnv);
                Check.require(host != null && !host.isBlank(), "host", "is required for type email");
                Check.require(from != null && !from.isBlank(), "from", "is required for type email");
                Check.require(!to.isEmpty(), "to", "needs at least one recipient for type email");
                Check.require(
                        !(tls && startTlsMode() != StartTls.OFF),
                        "starttls",
                        "must be off when tls is true (implicit TLS already encrypts the connection)");
                if (username != null) {
                    exactlyOne(password, passwordEnv, "password", "password_env");
                } else {
                    Check.require(password == null && passwordEnv == null, "password", "needs username to be set too");
                }
                Check.require(!subject.isBlank(), "subject", "must not be empty");
            }
        }
    }

    private void requireUrl() {
        Check.require(url != null, "url", "is required for type " + typeKey());
    }

    private void checkHeaders() {
        for (Map.Entry<String, Secret> e : headers.entrySet()) {
            String name = e.getKey();
            Check.require(HEADER_NAME.matcher(name).matches(), "headers." + name, "is not a valid HTTP header name");
            Check.require(
                    !RESERVED_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT)),
                    "headers." + name,
                    "is set by Spillway and cannot be configured");
            Check.require(
                    e.getValue().reveal().indexOf('\r') < 0
                            && e.getValue().reveal().indexOf('\n') < 0,
                    "headers." + name,
                    "must not contain line breaks");
        }
    }

    private void refuseEmail(Type t) {
        Check.require(host == null, "host", "does not apply to type " + t.key());
        Check.require(from == null, "from", "does not apply to type " + t.key());
        Check.require(to.isEmpty(), "to", "does not apply to type " + t.key());
        Check.require(username == null, "username", "does not apply to type " + t.key());
        Check.require(password == null && passwordEnv == null, "password", "does not apply to type " + t.key());
        // Keys with a non-null default: a value other than the default was written in the file.
        Check.require(port == 0, "port", "does not apply to type " + t.key() + " (put the port in url)");
        Check.require(!tls, "tls", "does not apply to type " + t.key() + " (use an https:// url)");
        Check.require(starttls.equals("required"), "starttls", "does not apply to type " + t.key());
        Check.require(tlsTrust.isEmpty(), "tls_trust", "does not apply to type " + t.key());
        Check.require(subject.equals(DEFAULT_SUBJECT), "subject", "does not apply to type " + t.key());
        Check.require(!html, "html", "does not apply to type " + t.key());
    }

    private static void refuse(Type t, String key, @Nullable Object value, String envKey, @Nullable String env) {
        Check.require(value == null, key, "does not apply to type " + t.key());
        Check.require(env == null, envKey, "does not apply to type " + t.key());
    }

    private static void exactlyOne(@Nullable Secret value, @Nullable String env, String key, String envKey) {
        Check.require(value == null || env == null, key, "set either " + key + " or " + envKey + ", not both");
        Check.require(value != null || env != null, key, "is required (or " + envKey + ")");
        if (value != null) {
            Check.require(!value.isBlank(), key, "must not be empty");
        }
        if (env != null) {
            Check.require(
                    env.matches("[A-Za-z_][A-Za-z0-9_]*"),
                    envKey,
                    "must be an environment variable name, got \"" + env + "\"");
        }
    }

    private String typeKey() {
        return type == null ? "?" : type.key();
    }

    public static TargetConfig defaults() {
        return new TargetConfig(
                null,
                null,
                null,
                null,
                Map.of(),
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                true,
                null,
                null,
                null,
                0,
                false,
                "required",
                List.of(),
                null,
                null,
                null,
                null,
                List.of(),
                DEFAULT_SUBJECT,
                false);
    }

    /**
     * {@code starttls} as a mode. The key is a string rather than an enum because YAML 1.1 reads a
     * bare {@code off} as the boolean {@code false}; both spellings mean {@link StartTls#OFF}.
     */
    public StartTls startTlsMode() {
        return switch (starttls.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "required" -> StartTls.REQUIRED;
            case "opportunistic" -> StartTls.OPPORTUNISTIC;
            case "off", "false", "no" -> StartTls.OFF;
            default ->
                throw new InvalidValueException(
                        "starttls", "expected one of required, opportunistic, off, got \"" + starttls + "\"");
        };
    }

    /** The SMTP port actually used: {@code port}, or the default for the TLS mode. */
    public int effectivePort() {
        if (port != 0) {
            return port;
        }
        return tls ? 465 : 587;
    }

    /** The URL actually used: {@code url}, or PagerDuty's endpoint for {@code pagerduty}. */
    public @Nullable URI effectiveUrl() {
        if (url == null) {
            return type == Type.PAGERDUTY ? URI.create(PAGERDUTY_URL) : null;
        }
        return url.uri();
    }

    /** Shows every key but the secrets, so a config dump or a log line never leaks them. */
    @Override
    public String toString() {
        return "TargetConfig[type=" + typeKey() + ", url=" + url + ", secret=" + mask(secret) + ", secret_env="
                + secretEnv + ", headers=" + headers.keySet() + ", timeout=" + timeout + ", connect_timeout="
                + connectTimeout + ", self_test=" + selfTest + ", routing_key=" + mask(routingKey)
                + ", routing_key_env=" + routingKeyEnv + ", host=" + host + ", port=" + port + ", tls=" + tls
                + ", starttls=" + starttls + ", tls_trust=" + tlsTrust + ", username=" + username + ", password="
                + mask(password) + ", password_env=" + passwordEnv + ", from=" + from + ", to=" + to
                + ", subject=" + subject + ", html=" + html + "]";
    }

    private static String mask(@Nullable Secret s) {
        return s == null ? "null" : "***";
    }
}
