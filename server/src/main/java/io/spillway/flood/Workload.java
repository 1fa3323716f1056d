package io.spillway.flood;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What to send: {@code quietApps} apps at {@code quietRate} lines/s each, and one noisy app at
 * {@code noisyRate} lines/s of about {@code noisyLineBytes} bytes, for {@code duration}.
 */
public record Workload(
        int quietApps,
        double quietRate,
        int quietLineBytes,
        double noisyRate,
        int noisyLineBytes,
        Duration duration,
        String prefix,
        Duration warmup) {
    public Workload {
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup cannot be negative");
        }
        if (quietApps < 0 || quietRate < 0 || noisyRate < 0) {
            throw new IllegalArgumentException("apps and rates cannot be negative");
        }
        if (quietApps > 10_000) {
            throw new IllegalArgumentException("--quiet-apps: at most 10000, got " + quietApps);
        }
        if (noisyLineBytes < 64 || quietLineBytes < 64) {
            throw new IllegalArgumentException("line sizes must be at least 64 bytes");
        }
    }

    /** Without a warm-up window: every line's latency counts as steady. */
    public Workload(
            int quietApps,
            double quietRate,
            int quietLineBytes,
            double noisyRate,
            int noisyLineBytes,
            Duration duration,
            String prefix) {
        this(quietApps, quietRate, quietLineBytes, noisyRate, noisyLineBytes, duration, prefix, Duration.ZERO);
    }

    public String noisyApp() {
        return prefix + "-noisy";
    }

    public String quietApp(int i) {
        return String.format(Locale.ROOT, "%s-quiet-%03d", prefix, i);
    }

    public List<String> apps() {
        List<String> apps = new ArrayList<>();
        for (int i = 0; i < quietApps; i++) {
            apps.add(quietApp(i));
        }
        if (noisyRate > 0) {
            apps.add(noisyApp());
        }
        return apps;
    }
}
