package io.spillway.guard;

import io.spillway.config.Check;
import io.spillway.config.Glob;
import io.spillway.config.InvalidValueException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The guard's configuration ({@code guard:} in the config file).
 *
 * <ul>
 *   <li>{@code truncate}: {@link TruncateConfig}; {@code redact}: {@link RedactConfig};
 *       {@code rate_limit}: {@link RateLimitConfig}; {@code repeat}: {@link RepeatConfig} — the global
 *       settings of each stage.
 *   <li>{@code apps} (default none): per-app overrides, a mapping from an app name or a glob
 *       ({@code *} any run of characters, {@code ?} one character, e.g. {@code web-*}) to
 *       {@code {truncate: {...}, redact: {...}, rate_limit: {...}, repeat: {...}}}. For a given app the <em>first</em>
 *       entry (in file order) whose glob matches is used; keys it does not set keep their global value.
 *       Apps that match no entry use the global settings. In YAML, a glob that starts with {@code *}
 *       must be quoted ({@code "*-worker"}).
 *   <li>{@code markers}: {@link MarkersConfig}.
 *   <li>{@code max_apps} (default {@code 10000}, at least {@code 1}): the bound on per-app state in
 *       the guard: rate-limit buckets, repeat runs, per-app settings caches and the drop ledger's table.
 * </ul>
 *
 * <pre>{@code
 * guard:
 *   rate_limit: {bytes_per_second: 1MiB, lines_per_second: 5000, burst: 10s}
 *   apps:
 *     billing: {rate_limit: {enabled: false}}
 *     web-*: {truncate: {max_message: 4KiB}, rate_limit: {bytes_per_second: 256KiB}}
 * }</pre>
 */
public record GuardConfig(
        TruncateConfig truncate,
        RedactConfig redact,
        RateLimitConfig rateLimit,
        RepeatConfig repeat,
        Map<String, AppOverride> apps,
        MarkersConfig markers,
        int maxApps) {

    public GuardConfig {
        // Keep file order: the first matching glob wins.
        apps = Collections.unmodifiableMap(new LinkedHashMap<>(apps));
        Check.atLeast(maxApps, 1, "max_apps");
        for (Map.Entry<String, AppOverride> e : apps.entrySet()) {
            String glob = e.getKey();
            String at = "apps." + glob;
            Check.require(
                    Glob.validAppGlob(glob),
                    at,
                    "an app name or glob uses only A-Z a-z 0-9 . _ - * ?, got \"" + glob + "\"");
            // Validate the merged settings now, so a bad override fails at start-up with its path.
            AppOverride o = e.getValue();
            merge(at + ".truncate.", () -> o.truncateOver(truncate));
            merge(at + ".redact.", () -> o.redactOver(redact));
            merge(at + ".rate_limit.", () -> o.rateLimitOver(rateLimit));
            merge(at + ".repeat.", () -> o.repeatOver(repeat));
        }
    }

    private static void merge(String prefix, Runnable r) {
        try {
            r.run();
        } catch (InvalidValueException ex) {
            throw new InvalidValueException(prefix + ex.key(), ex.reason());
        }
    }

    public static GuardConfig defaults() {
        return new GuardConfig(
                TruncateConfig.defaults(),
                RedactConfig.defaults(),
                RateLimitConfig.defaults(),
                RepeatConfig.defaults(),
                Map.of(),
                MarkersConfig.defaults(),
                10_000);
    }

    /** The effective settings of one app: the first matching override applied over the globals. */
    public AppSettings settingsFor(String app) {
        for (Map.Entry<String, AppOverride> e : apps.entrySet()) {
            if (Glob.matches(e.getKey(), app)) {
                return e.getValue().over(this);
            }
        }
        return globalSettings();
    }

    public AppSettings globalSettings() {
        return new AppSettings(truncate, redact, rateLimit, repeat);
    }

    /** The overrides compiled in file order, for the stages' per-app tables. */
    List<Map.Entry<Glob, AppSettings>> compiledOverrides() {
        List<Map.Entry<Glob, AppSettings>> out = new ArrayList<>(apps.size());
        apps.forEach((glob, o) -> out.add(Map.entry(new Glob(glob), o.over(this))));
        return out;
    }

    /** The three stages' settings for one app. */
    public record AppSettings(
            TruncateConfig truncate, RedactConfig redact, RateLimitConfig rateLimit, RepeatConfig repeat) {}

    /** One entry of {@code apps}: each section is optional and only sets the keys it names. */
    public record AppOverride(
            TruncateConfig.@Nullable Override truncate,
            RedactConfig.@Nullable Override redact,
            RateLimitConfig.@Nullable Override rateLimit,
            RepeatConfig.@Nullable Override repeat) {
        public static AppOverride defaults() {
            return new AppOverride(null, null, null, null);
        }

        RepeatConfig repeatOver(RepeatConfig base) {
            return repeat == null ? base : repeat.applyTo(base);
        }

        TruncateConfig truncateOver(TruncateConfig base) {
            return truncate == null ? base : truncate.applyTo(base);
        }

        RedactConfig redactOver(RedactConfig base) {
            return redact == null ? base : redact.applyTo(base);
        }

        RateLimitConfig rateLimitOver(RateLimitConfig base) {
            return rateLimit == null ? base : rateLimit.applyTo(base);
        }

        AppSettings over(GuardConfig global) {
            return new AppSettings(
                    truncateOver(global.truncate()),
                    redactOver(global.redact()),
                    rateLimitOver(global.rateLimit()),
                    repeatOver(global.repeat()));
        }
    }
}
