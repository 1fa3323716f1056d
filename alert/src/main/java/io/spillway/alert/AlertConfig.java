package io.spillway.alert;

import io.spillway.alert.heartbeat.HeartbeatConfig;
import io.spillway.alert.intake.IntakeConfig;
import io.spillway.alert.notify.TargetConfig;
import io.spillway.alert.signal.IncidentSource;
import io.spillway.config.Check;
import io.spillway.config.InvalidValueException;
import io.spillway.event.EventSeverity;
import io.spillway.record.Severity;
import io.spillway.space.SpaceFloor;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The incident engine's configuration ({@code alert:} in the config file). Notification targets
 * ({@code alert.targets}) are configured by the notifiers' own record and handed to the engine as
 * {@code Map<String, Notifier>}; policies name them.
 *
 * <ul>
 *   <li>{@code public_url} (default empty): Spillway's URL as people reach it, e.g. {@code
 *       https://logs.example.com}; ack links are {@code <public_url>/ack/<token>}, incident links
 *       {@code <public_url>/incidents/<id>}. Empty: links are relative ({@code /ack/<token>}).
 *   <li>{@code policies} (default none): escalation policies, see {@link Policy}. The first policy (in
 *       file order) whose {@code match} fits an incident routes it.
 *   <li>{@code default_policy} (default empty): the name of the policy for incidents no policy
 *       matches. Empty: the built-in policy {@code default}: one level, every target, repeated every
 *       {@code 30m} until acknowledged.
 *   <li>{@code silences} (default none): maintenance windows from the file, see {@link SilenceEntry};
 *       more can be added at run time through the API.
 *   <li>{@code rules} (default none): record rules, see {@link Rule}.
 *   <li>{@code rule_max_apps} (default {@code 10000}, at least 1): how many (host, app) pairs the
 *       record rules track at once; records of further pairs are not evaluated (and counted in {@code
 *       spillway_alert_rule_untracked}) until tracked pairs go quiet and are forgotten.
 *   <li>{@code heartbeat}: host liveness, see {@link Heartbeat}.
 *   <li>{@code auto_resolve}: per source, whether a cleared condition resolves its incident, see
 *       {@link AutoResolve}.
 *   <li>{@code delivery}: notification retries and queue bound, see {@link Delivery}.
 *   <li>{@code intake}: the Alertmanager and Events API endpoints, see {@link IntakeConfig}.
 *   <li>{@code retention} (default {@code 30d}): resolved incidents older than this are deleted.
 *   <li>{@code timeline_cap} (default {@code 1000}, at least 10): timeline entries kept per incident;
 *       older ones are dropped and counted in the incident.
 *   <li>{@code max_open} (default {@code 10000}, at least 1): open incidents at once; a new condition
 *       beyond it is refused, logged and counted ({@code spillway_alert_signals_dropped{reason=
 *       "max_open"}}).
 *   <li>{@code ack_link_ttl} (default {@code 7d}): how long a signed acknowledge link stays valid.
 *   <li>{@code targets} (default none): the notification targets by name ({@code webhook}, {@code
 *       slack}, {@code email}, {@code pagerduty}), see {@link TargetConfig}; policies name them. The
 *       node builds them with {@link io.spillway.alert.notify.Notifiers#build}.
 *   <li>{@code self_test_interval} (default {@code 6h}; {@code 0s} turns periodic tests off): how
 *       often every target with {@code self_test: true} gets a test message (also once at start-up),
 *       see {@link io.spillway.alert.notify.NotifierSelfTest}.
 *   <li>{@code dead_mans_switch}: the outbound heartbeat to an external monitor (off by default), see
 *       {@link HeartbeatConfig}. Not to be confused with {@code heartbeat}, which watches hosts from
 *       inside.
 *   <li>{@code store_dir} (default empty: the data directory): where the incident store ({@code
 *       incidents.db} and its WAL) lives; a relative path is relative to {@code data_dir}. Put it on
 *       another filesystem to keep incidents apart from the logs' disk entirely.
 *   <li>{@code min_free_space} (default {@code min(2%, 128MiB)}): the incident store's free-space
 *       floor (G4). It must be below every other floor on its filesystem ({@code buffer.min_free_space},
 *       {@code outputs.file.min_free_space}, {@code outputs.store.min_free_space}, {@code
 *       space.min_free_space}), a start-up error otherwise: when the others stop at their floor, the band
 *       between is the incident store's, so the incident about the full disk can still be recorded.
 * </ul>
 */
public record AlertConfig(
        String publicUrl,
        List<Policy> policies,
        String defaultPolicy,
        List<SilenceEntry> silences,
        List<Rule> rules,
        int ruleMaxApps,
        Heartbeat heartbeat,
        AutoResolve autoResolve,
        Delivery delivery,
        IntakeConfig intake,
        Duration retention,
        int timelineCap,
        int maxOpen,
        Duration ackLinkTtl,
        Map<String, TargetConfig> targets,
        Duration selfTestInterval,
        HeartbeatConfig deadMansSwitch,
        String storeDir,
        SpaceFloor minFreeSpace) {

    /** The name of the built-in policy used when {@code default_policy} is empty. */
    public static final String BUILTIN_POLICY = "default";

    public AlertConfig {
        while (publicUrl.endsWith("/")) {
            publicUrl = publicUrl.substring(0, publicUrl.length() - 1);
        }
        policies = List.copyOf(policies);
        silences = List.copyOf(silences);
        rules = List.copyOf(rules);
        Check.require(
                publicUrl.isEmpty() || publicUrl.startsWith("http://") || publicUrl.startsWith("https://"),
                "public_url",
                "must start with http:// or https://, got \"" + publicUrl + "\"");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < policies.size(); i++) {
            Policy p = policies.get(i);
            String at = "policies[" + i + "]";
            Check.require(!p.name().isEmpty(), at + ".name", "every policy needs a name");
            Check.require(names.add(p.name()), at + ".name", "policy \"" + p.name() + "\" is defined twice");
            Check.require(!p.levels().isEmpty(), at + ".levels", "a policy needs at least one level");
        }
        Check.require(
                defaultPolicy.isEmpty() || names.contains(defaultPolicy),
                "default_policy",
                "names no policy: \"" + defaultPolicy + "\"; defined are " + names);
        Set<String> ruleNames = new HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            Check.require(!r.name().isEmpty(), "rules[" + i + "].name", "every rule needs a name");
            Check.require(
                    ruleNames.add(r.name()), "rules[" + i + "].name", "rule \"" + r.name() + "\" is defined twice");
        }
        Check.atLeast(ruleMaxApps, 1, "rule_max_apps");
        Check.positive(retention, "retention");
        Check.atLeast(timelineCap, 10, "timeline_cap");
        Check.atLeast(maxOpen, 1, "max_open");
        Check.positive(ackLinkTtl, "ack_link_ttl");
        // Keep the file's order: targets are listed and self-tested in it.
        targets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(targets));
        Check.require(!selfTestInterval.isNegative(), "self_test_interval", "cannot be negative (0s turns it off)");
        java.util.Objects.requireNonNull(storeDir, "store_dir");
        java.util.Objects.requireNonNull(minFreeSpace, "min_free_space");
        Check.require(storeDir.indexOf('\0') < 0, "store_dir", "must not contain a NUL character");
    }

    public static AlertConfig defaults() {
        return new AlertConfig(
                "",
                List.of(),
                "",
                List.of(),
                List.of(),
                10_000,
                Heartbeat.defaults(),
                AutoResolve.defaults(),
                Delivery.defaults(),
                IntakeConfig.defaults(),
                Duration.ofDays(30),
                1000,
                10_000,
                Duration.ofDays(7),
                Map.of(),
                Duration.ofHours(6),
                HeartbeatConfig.defaults(),
                "",
                DEFAULT_MIN_FREE_SPACE);
    }

    /**
     * The incident store's default floor, {@code min(2%, 128MiB)}: below the other writers' default
     * {@code min(5%, 256MiB)} on every filesystem, so the band between is the incident store's alone.
     */
    public static final SpaceFloor DEFAULT_MIN_FREE_SPACE = SpaceFloor.smallerOf(2, 128L << 20);

    /** The incident store's directory: {@code store_dir} resolved against the data directory. */
    public java.nio.file.Path resolveStoreDir(java.nio.file.Path dataDir) {
        return storeDir.isEmpty() ? dataDir : dataDir.resolve(storeDir);
    }

    /** The policy named by {@code default_policy}, or the built-in one. */
    public Policy effectiveDefaultPolicy() {
        for (Policy p : policies) {
            if (p.name().equals(defaultPolicy)) {
                return p;
            }
        }
        return new Policy(
                BUILTIN_POLICY,
                Match.any(),
                List.of(new Level(List.of(), true, Duration.ofMinutes(30))),
                Repeat.FOREVER,
                Duration.ofMinutes(30));
    }

    /**
     * One escalation policy ({@code policies[]}).
     *
     * <ul>
     *   <li>{@code name} (required): how incidents and {@code default_policy} refer to it.
     *   <li>{@code match} (default: everything): which incidents it routes, see {@link Match}.
     *   <li>{@code levels} (at least one): ordered; level 0 is paged when the incident opens, and after
     *       a level's {@code delay} without acknowledgement the next level is paged.
     *   <li>{@code repeat} (default {@code true}): after the last level's delay, {@code true} starts over
     *       at level 0 (until acknowledged), {@code false} stops paging, {@code N} starts over {@code N}
     *       more times.
     *   <li>{@code renotify} (default {@code 30m}): a condition that clears and fires again (flaps) is
     *       reopened as the same incident and pages at most once per this interval.
     * </ul>
     */
    public record Policy(String name, Match match, List<Level> levels, Repeat repeat, Duration renotify) {
        public Policy {
            levels = List.copyOf(levels);
            for (int i = 0; i < levels.size(); i++) {
                Level l = levels.get(i);
                Check.require(
                        l.everyone() || !l.targets().isEmpty(),
                        "levels[" + i + "]",
                        "a level names its targets or sets everyone: true");
            }
            Check.positive(renotify, "renotify");
        }

        public static Policy defaults() {
            return new Policy("", Match.any(), List.of(), Repeat.FOREVER, Duration.ofMinutes(30));
        }
    }

    /**
     * One escalation level ({@code policies[].levels[]}).
     *
     * <ul>
     *   <li>{@code targets} (default none): target names (keys of {@code alert.targets}).
     *   <li>{@code everyone} (default {@code false}): page every configured target.
     *   <li>{@code delay} (default {@code 5m}, at least {@code 1s}): how long to wait for an
     *       acknowledgement before going on to the next level.
     * </ul>
     */
    public record Level(List<String> targets, boolean everyone, Duration delay) {
        public Level {
            targets = List.copyOf(targets);
            Check.require(delay.compareTo(Duration.ofSeconds(1)) >= 0, "delay", "must be at least 1s");
        }

        public static Level defaults() {
            return new Level(List.of(), false, Duration.ofMinutes(5));
        }
    }

    /**
     * One maintenance window from the file ({@code silences[]}): matching incidents are recorded but
     * do not page.
     *
     * <ul>
     *   <li>{@code matcher} (default: everything): see {@link Match}; severity matches exactly.
     *   <li>{@code starts} (default empty = always started) and {@code ends} (required): ISO-8601
     *       instants, e.g. {@code 2026-05-01T22:00:00Z}.
     *   <li>{@code comment} (default empty): why.
     * </ul>
     */
    public record SilenceEntry(Match matcher, String starts, String ends, String comment) {
        public SilenceEntry {
            Check.require(!ends.isEmpty(), "ends", "a silence needs an end, e.g. 2026-05-01T23:00:00Z");
            Instant e = instant(ends, "ends");
            if (!starts.isEmpty()) {
                Check.require(!instant(starts, "starts").isAfter(e), "starts", "must not be after ends");
            }
        }

        public static SilenceEntry defaults() {
            return new SilenceEntry(Match.any(), "", "9999-12-31T23:59:59Z", "");
        }

        Instant startsAt() {
            return starts.isEmpty() ? Instant.EPOCH : Instant.parse(starts);
        }

        Instant endsAt() {
            return Instant.parse(ends);
        }

        private static Instant instant(String s, String key) {
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                throw new InvalidValueException(
                        key, "expected an ISO-8601 instant like 2026-05-01T22:00:00Z, got \"" + s + "\"");
            }
        }
    }

    /** The kind of a record rule. */
    public enum RuleType {
        /** More than {@code threshold} matching records of one app within {@code window}. */
        ERROR_RATE,
        /** Any record whose message matches {@code pattern}. */
        PATTERN
    }

    /**
     * One record rule ({@code rules[]}), evaluated for every accepted record.
     *
     * <ul>
     *   <li>{@code name} (required): part of the dedup key {@code rule/<name>/<host>/<app>}.
     *   <li>{@code type} (default {@code error_rate}): {@code error_rate} or {@code pattern}.
     *   <li>{@code app} (default {@code *}): a glob on the apps the rule watches.
     *   <li>{@code pattern} (default empty; required for {@code pattern}): a Java regex searched in the
     *       message. For {@code error_rate} a record counts if its severity is at least {@code
     *       min_severity} <em>or</em> it matches a non-empty {@code pattern}.
     *   <li>{@code min_severity} (default {@code error}): for {@code error_rate}, the least severe
     *       syslog severity that counts ({@code emergency, alert, critical, error, warning, ...}).
     *   <li>{@code threshold} (default {@code 100}, at least 1): for {@code error_rate}, more than this
     *       many counted records within one {@code window} opens an incident.
     *   <li>{@code window} (default {@code 1m}, at least {@code 1s}): the counting window.
     *   <li>{@code quiet} (default {@code 5m}, at least {@code 1s}): the incident clears after this long
     *       without the condition (no window over threshold; no pattern match).
     *   <li>{@code severity} (default {@code warning}): the incident's severity.
     *   <li>{@code labels} (default none): added to the incident's labels (for routing).
     * </ul>
     */
    public record Rule(
            String name,
            RuleType type,
            String app,
            String pattern,
            Severity minSeverity,
            int threshold,
            Duration window,
            Duration quiet,
            EventSeverity severity,
            Map<String, String> labels) {
        public Rule {
            labels = Map.copyOf(labels);
            Check.require(!app.isEmpty(), "app", "must not be empty; use \"*\" for every app");
            Check.require(type != RuleType.PATTERN || !pattern.isEmpty(), "pattern", "a pattern rule needs a pattern");
            if (!pattern.isEmpty()) {
                try {
                    Pattern.compile(pattern);
                } catch (PatternSyntaxException e) {
                    throw new InvalidValueException("pattern", "not a valid regex: " + e.getDescription());
                }
            }
            Check.require(minSeverity != Severity.UNKNOWN, "min_severity", "must be a syslog severity");
            Check.atLeast(threshold, 1, "threshold");
            Check.require(window.compareTo(Duration.ofSeconds(1)) >= 0, "window", "must be at least 1s");
            Check.require(quiet.compareTo(Duration.ofSeconds(1)) >= 0, "quiet", "must be at least 1s");
        }

        public static Rule defaults() {
            return new Rule(
                    "",
                    RuleType.ERROR_RATE,
                    "*",
                    "",
                    Severity.ERROR,
                    100,
                    Duration.ofMinutes(1),
                    Duration.ofMinutes(5),
                    EventSeverity.WARNING,
                    Map.of());
        }
    }

    /**
     * Host liveness ({@code heartbeat:}).
     *
     * <ul>
     *   <li>{@code enabled} (default {@code true}).
     *   <li>{@code silent_after} (default {@code 60s}, at least {@code 1s}): a host that has sent no
     *       heartbeat for this long gets a critical host incident ({@code heartbeat/<host>}); it
     *       clears when beats return.
     *   <li>{@code max_hosts} (default {@code 10000}, at least 1): hosts tracked at once; beats of
     *       further hosts are ignored and counted.
     * </ul>
     */
    public record Heartbeat(boolean enabled, Duration silentAfter, int maxHosts) {
        public Heartbeat {
            Check.require(silentAfter.compareTo(Duration.ofSeconds(1)) >= 0, "silent_after", "must be at least 1s");
            Check.atLeast(maxHosts, 1, "max_hosts");
        }

        public static Heartbeat defaults() {
            return new Heartbeat(true, Duration.ofSeconds(60), 10_000);
        }
    }

    /**
     * Whether a cleared condition resolves its incident, per source ({@code auto_resolve:}); each
     * defaults to {@code true}. When off, the clear is written to the timeline and the incident waits
     * for a person to resolve it.
     *
     * <ul>
     *   <li>{@code event}: Spillway's own events ({@code CLEARED}).
     *   <li>{@code rule}: record rules after their quiet window.
     *   <li>{@code heartbeat}: beats returned.
     *   <li>{@code alertmanager}: an alert with {@code status: resolved}.
     *   <li>{@code events_api}: an Events API {@code resolve}.
     * </ul>
     */
    public record AutoResolve(boolean event, boolean rule, boolean heartbeat, boolean alertmanager, boolean eventsApi) {
        public static AutoResolve defaults() {
            return new AutoResolve(true, true, true, true, true);
        }

        boolean of(IncidentSource source) {
            return switch (source) {
                case EVENT -> event;
                case RULE -> rule;
                case HEARTBEAT -> heartbeat;
                case ALERTMANAGER -> alertmanager;
                case EVENTS_API -> eventsApi;
            };
        }
    }

    /**
     * Notification delivery ({@code delivery:}).
     *
     * <ul>
     *   <li>{@code max_attempts} (default {@code 6}, at least 1): attempts per notification, the first
     *       included; a non-retryable failure stops at once.
     *   <li>{@code initial_backoff} (default {@code 2s}) and {@code max_backoff} (default {@code 5m}):
     *       the n-th retry waits a random time in {@code [c/2, c]}, {@code c = min(max, initial·2ⁿ)}.
     *   <li>{@code threads} (default {@code 4}, 1..64): concurrent deliveries; a slow target only holds
     *       its own thread, never the engine.
     *   <li>{@code max_pending} (default {@code 10000}, at least 1): notifications waiting or retrying;
     *       beyond it a notification is dropped, written to the timeline and counted.
     * </ul>
     */
    public record Delivery(int maxAttempts, Duration initialBackoff, Duration maxBackoff, int threads, int maxPending) {
        public Delivery {
            Check.atLeast(maxAttempts, 1, "max_attempts");
            Check.positive(initialBackoff, "initial_backoff");
            Check.require(maxBackoff.compareTo(initialBackoff) >= 0, "max_backoff", "must be at least initial_backoff");
            Check.between(threads, 1, 64, "threads");
            Check.atLeast(maxPending, 1, "max_pending");
        }

        public static Delivery defaults() {
            return new Delivery(6, Duration.ofSeconds(2), Duration.ofMinutes(5), 4, 10_000);
        }
    }
}
