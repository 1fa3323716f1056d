package io.spillway.cli;

import io.spillway.alert.notify.Notifier;
import io.spillway.alert.notify.NotifierSelfTest;
import io.spillway.alert.notify.Notifiers;
import io.spillway.alert.notify.TargetConfig;
import io.spillway.clock.SystemClock;
import io.spillway.config.ConfigException;
import io.spillway.node.NodeConfig;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code spillway notify test TARGET}: send one test message to a configured target now. */
@Command(
        name = "notify",
        mixinStandardHelpOptions = true,
        description = "Notification targets (alert.targets). See docs/notifiers.md.",
        subcommands = {NotifyCommand.Test.class})
final class NotifyCommand {
    @Command(
            name = "test",
            mixinStandardHelpOptions = true,
            description = {
                "Send one test message (reason: test) to TARGET from the configuration and print the outcome.",
                "It retries as the self-test does and needs no running node. Use it after changing a target or"
                        + " rotating its secret:",
                "  ok: webhook \"oncall\" accepted the test message",
                ""
            },
            footer = {"", "Exit status: 0 the target accepted the message, 1 it failed, 2 bad usage or configuration."})
    static final class Test implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ConfigOptions options = new ConfigOptions();

        @Parameters(paramLabel = "TARGET", description = "The target's name under alert.targets.")
        String target;

        /** The pause between attempts on a retryable failure; tests shorten it. */
        Duration retryDelay = Duration.ofSeconds(2);

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            NodeConfig config;
            try {
                config = options.load();
            } catch (ConfigException e) {
                err.println("spillway: the configuration has problems:");
                e.problems().forEach(p -> err.println("  " + p));
                err.flush();
                return 2;
            }
            Map<String, TargetConfig> targets = config.alert().targets();
            TargetConfig one = targets.get(target);
            if (one == null) {
                out.println("FAILED: no target named \"" + target + "\"; configured targets: "
                        + (targets.isEmpty()
                                ? "none (alert.targets is empty)"
                                : String.join(", ", new java.util.TreeSet<>(targets.keySet()))));
                out.flush();
                return 1;
            }
            Map<String, Notifier> notifiers;
            try {
                // Only this target: another target's missing secret must not stop testing this one.
                notifiers = Notifiers.build(Map.of(target, one));
            } catch (ConfigException e) {
                err.println("spillway: target " + target + " has problems:");
                e.problems().forEach(p -> err.println("  " + p));
                err.flush();
                return 2;
            }
            try {
                String host = config.host().isEmpty() ? localHost() : config.host();
                NotifierSelfTest.Result r =
                        NotifierSelfTest.testTarget(notifiers, target, host, retryDelay, SystemClock.instantSource());
                out.println(r.human());
                out.flush();
                return r.ok() ? 0 : 1;
            } finally {
                Notifiers.closeAll(notifiers.values());
            }
        }

        private static String localHost() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                return "localhost";
            }
        }
    }
}
