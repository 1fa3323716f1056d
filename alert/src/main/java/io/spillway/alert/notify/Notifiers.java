package io.spillway.alert.notify;

import io.spillway.clock.SystemClock;
import io.spillway.config.ConfigException;
import io.spillway.config.InvalidValueException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Builds the configured notifiers ({@code alert.targets}) and checks what a config record alone
 * cannot: that each target names a {@code type}, that its name is usable as a metric label, that
 * the environment variables it refers to are set, and that its addresses parse. Every problem is
 * reported at once, each with its key path ({@code alert.targets.oncall.secret_env: environment
 * variable ONCALL_SECRET is not set}), and nothing is built unless all targets are valid.
 */
public final class Notifiers {
    /** Target names become metric labels and event subjects: keep them short and plain. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public static final String DEFAULT_PREFIX = "alert.targets";

    private Notifiers() {}

    /** {@link #build(Map, String, Function, InstantSource)} with the process environment and clock. */
    public static Map<String, Notifier> build(Map<String, TargetConfig> targets) throws ConfigException {
        return build(targets, DEFAULT_PREFIX, System::getenv, SystemClock.instantSource());
    }

    /**
     * Builds one notifier per target, in the map's order.
     *
     * @param prefix the key path of the targets map, for messages (e.g. {@code alert.targets})
     * @param env looks up environment variables ({@code secret_env}, {@code routing_key_env}, {@code
     *     password_env}); returns null when unset
     * @param clock stamps webhook signatures
     * @throws ConfigException listing every bad target, each line with its key path
     */
    public static Map<String, Notifier> build(
            Map<String, TargetConfig> targets,
            String prefix,
            Function<String, @Nullable String> env,
            InstantSource clock)
            throws ConfigException {
        List<String> problems = new ArrayList<>();
        Map<String, Notifier> out = new LinkedHashMap<>();
        for (Map.Entry<String, TargetConfig> e : targets.entrySet()) {
            String name = e.getKey();
            String at = prefix + "." + name;
            TargetConfig c = e.getValue();
            if (!NAME.matcher(name).matches()) {
                problems.add(at + ": a target name uses 1 to 64 of A-Z a-z 0-9 . _ -, got \"" + name + "\"");
                continue;
            }
            TargetConfig.Type type = c.type();
            if (type == null) {
                problems.add(at + ".type: is required, one of webhook, slack, email, pagerduty");
                continue;
            }
            try {
                Notifier n = switch (type) {
                    case WEBHOOK ->
                        new WebhookNotifier(
                                name,
                                c,
                                secret(c.secret(), c.secretEnv(), "secret", "secret_env", env, problems, at),
                                Secret.reveal(c.headers()),
                                clock);
                    case SLACK -> new SlackNotifier(name, c);
                    case PAGERDUTY ->
                        new PagerDutyNotifier(
                                name,
                                c,
                                secret(
                                        c.routingKey(),
                                        c.routingKeyEnv(),
                                        "routing_key",
                                        "routing_key_env",
                                        env,
                                        problems,
                                        at));
                    case EMAIL ->
                        new EmailNotifier(
                                name,
                                c,
                                c.username() == null
                                        ? null
                                        : secret(
                                                c.password(),
                                                c.passwordEnv(),
                                                "password",
                                                "password_env",
                                                env,
                                                problems,
                                                at));
                };
                out.put(name, n);
            } catch (InvalidValueException ex) {
                problems.add(at + "." + ex.key() + ": " + ex.reason());
            } catch (IllegalArgumentException ex) {
                problems.add(at + ": " + ex.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            closeAll(out.values());
            throw new ConfigException(problems);
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * The literal value, or the environment variable's. A missing variable is recorded as a problem
     * and answered with a placeholder, so the remaining targets are still checked.
     */
    private static String secret(
            @Nullable Secret literal,
            @Nullable String envName,
            String key,
            String envKey,
            Function<String, @Nullable String> env,
            List<String> problems,
            String at) {
        if (literal != null) {
            return literal.reveal();
        }
        if (envName == null) {
            // TargetConfig guarantees one of the two for the types that call this.
            problems.add(at + "." + key + ": is required (or " + envKey + ")");
            return "";
        }
        String value = env.apply(envName);
        if (value == null || value.isBlank()) {
            problems.add(at + "." + envKey + ": environment variable " + envName + " is not set or empty");
            return "";
        }
        if ("secret_env".equals(envKey) && value.length() < TargetConfig.MIN_SECRET_LENGTH) {
            problems.add(at + "." + envKey + ": the secret in " + envName + " must be at least "
                    + TargetConfig.MIN_SECRET_LENGTH + " characters, got " + value.length());
        }
        return value;
    }

    /** Closes the notifiers that hold resources (HTTP clients); others are left alone. */
    public static void closeAll(Iterable<Notifier> notifiers) {
        for (Notifier n : notifiers) {
            if (n instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // Closing an idle HTTP client cannot fail in a way worth reporting.
                }
            }
        }
    }
}
