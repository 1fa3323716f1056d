package io.spillway.guard;

import io.spillway.config.Glob;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A stage's per-app state derived from {@link GuardConfig#settingsFor}: the global value when there are
 * no overrides (no lookup at all), else a cache of resolved values.
 *
 * <p>Bound: the cache holds at most {@code maxApps} entries; once full, further apps are resolved on
 * every call (a few glob matches) instead of being cached, so a flood of invented app names costs
 * CPU, never memory. Thread-safe.
 */
final class PerApp<T> {
    private final T global;
    private final List<Map.Entry<Glob, T>> overrides;
    private final Map<String, T> cache = new ConcurrentHashMap<>();
    private final int maxApps;

    PerApp(GuardConfig config, Function<GuardConfig.AppSettings, T> derive) {
        this.global = derive.apply(config.globalSettings());
        this.overrides = config.compiledOverrides().stream()
                .map(e -> Map.entry(e.getKey(), derive.apply(e.getValue())))
                .toList();
        this.maxApps = config.maxApps();
    }

    T get(String app) {
        if (overrides.isEmpty()) {
            return global;
        }
        T v = cache.get(app);
        if (v != null) {
            return v;
        }
        v = resolve(app);
        if (cache.size() < maxApps) {
            cache.putIfAbsent(app, v);
        }
        return v;
    }

    T resolve(String app) {
        for (Map.Entry<Glob, T> e : overrides) {
            if (e.getKey().matches(app)) {
                return e.getValue();
            }
        }
        return global;
    }

    int cached() {
        return cache.size();
    }
}
