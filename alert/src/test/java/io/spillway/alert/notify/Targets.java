package io.spillway.alert.notify;

import io.spillway.config.ConfigBinder;
import io.spillway.config.ConfigException;
import java.time.InstantSource;
import java.util.Map;

/** Builds targets from the YAML a user would write under {@code alert:}. */
public final class Targets {
    private Targets() {}

    /** Stands in for the alert section of the node config. */
    public record Root(Map<String, TargetConfig> targets) {
        public static Root defaults() {
            return new Root(Map.of());
        }
    }

    public static Map<String, TargetConfig> parse(String yaml) throws ConfigException {
        return ConfigBinder.bind(Root.class, ConfigBinder.readYaml(yaml, "test.yaml"))
                .targets();
    }

    public static TargetConfig one(String yaml) throws ConfigException {
        return parse(yaml).values().iterator().next();
    }

    public static Map<String, Notifier> build(String yaml, Map<String, String> env) throws ConfigException {
        return Notifiers.build(parse(yaml), "alert.targets", k -> env.get(k), InstantSource.system());
    }

    public static Notifier notifier(String yaml) throws ConfigException {
        return build(yaml, Map.of()).values().iterator().next();
    }
}
