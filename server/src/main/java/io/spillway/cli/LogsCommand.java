package io.spillway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code spillway logs APP}: print an app's recent logs from the read API, optionally following
 * them, like {@code heroku logs}. Format: {@link LogFormat}.
 *
 * <p>Where to connect, first found wins: {@code --server}, {@code SPILLWAY_URL}, the configuration's
 * {@code http.listen} ({@code --config}/{@code --set}; a wildcard address becomes 127.0.0.1). Which
 * token: {@code --token}, {@code SPILLWAY_TOKEN}, {@code <data_dir>/admin.token}.
 *
 * <p>{@code -f} prints the last N lines, then follows over Server-Sent Events starting after the last
 * line printed (as {@code Last-Event-ID}, so nothing stored in between is missed). A dropped
 * connection is retried with backoff (1 s doubling to 10 s) from the last event received; 401, 403
 * and 404 end the command.
 */
@Command(
        name = "logs",
        mixinStandardHelpOptions = true,
        description = {
            "Print an app's logs from a running Spillway, newest last, like 'heroku logs'.",
            "Each line is the record's time, the app and its source, and the message:",
            "  2026-11-25T10:00:00.123456+00:00 web[web.1]: message",
            "With -f, keep printing new lines as they arrive (Ctrl-C to stop).",
            ""
        },
        footer = {
            "",
            "Server: --server, else SPILLWAY_URL, else the config's http.listen.",
            "Token: --token, else SPILLWAY_TOKEN, else <data_dir>/admin.token (written at first start).",
            "Exit status: 0 ok, 1 server or access error, 2 bad usage."
        })
final class LogsCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ApiOptions api = new ApiOptions();

    @Parameters(paramLabel = "APP", description = "The app whose logs to print.")
    String app;

    @Option(
            names = {"-f", "--tail"},
            description = "Follow: after the last N lines, print new ones as they arrive.")
    boolean follow;

    @Option(
            names = {"-n", "--num"},
            paramLabel = "N",
            defaultValue = "100",
            description = "How many of the most recent lines to print first (default ${DEFAULT-VALUE}, at most 10000;"
                    + " 0 with -f prints only new lines).")
    int lines;

    @Option(
            names = "--since",
            paramLabel = "TIME",
            description = "Only lines at or after TIME: RFC 3339 (2026-11-25T10:00:00Z) or an age like 1h, 30m.")
    @Nullable
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only lines before TIME (same forms as --since).")
    @Nullable
    String until;

    @Option(names = "--grep", paramLabel = "TEXT", description = "Only lines whose message contains TEXT.")
    @Nullable
    String grep;

    @Option(names = "--regex", description = "Read --grep as a regular expression (Java syntax).")
    boolean regex;

    @Option(
            names = "--color",
            paramLabel = "WHEN",
            defaultValue = "auto",
            description = "Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never.")
    Colour colour;

    enum Colour {
        auto,
        always,
        never
    }

    /** The environment; tests replace it. */
    Function<String, @Nullable String> env = System::getenv;

    /** Whether stdout is a terminal; tests replace it. */
    java.util.function.BooleanSupplier terminal = LogsCommand::stdoutIsTerminal;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (lines < 0 || lines > 10_000 || (lines == 0 && !follow)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "-n must be 1..10000 (or 0 with -f), got " + lines);
        }
        if (regex && grep == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--regex needs --grep PATTERN");
        }
        LogClient client;
        try {
            client = client();
        } catch (LogClient.Failure e) {
            err.println("spillway logs: " + e.getMessage());
            err.flush();
            return 1;
        }
        LogFormat format = new LogFormat(useColour());
        String lastId = null;
        try {
            if (lines > 0) {
                Map<String, String> p = filterParams();
                p.put("limit", Integer.toString(lines));
                p.put("order", "newest");
                putIfSet(p, "since", since);
                putIfSet(p, "until", until);
                JsonNode page = client.query(app, p);
                List<JsonNode> records = new ArrayList<>();
                page.path("records").forEach(records::add);
                for (int i = records.size() - 1; i >= 0; i--) {
                    out.println(format.format(records.get(i)));
                }
                if (!records.isEmpty()) {
                    lastId = records.getFirst().path("cursor").asText(null);
                }
                String stopped = page.path("stopped_early").asText(null);
                if (stopped != null && !page.path("stopped_early").isNull()) {
                    err.println("spillway logs: the query stopped early (" + stopped
                            + "); narrow it with --since or --grep to see older lines");
                }
                out.flush();
            }
            if (follow) {
                return follow(client, format, lastId, out, err);
            }
            return 0;
        } catch (LogClient.Failure e) {
            out.flush();
            err.println("spillway logs: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    private int follow(LogClient client, LogFormat format, @Nullable String lastId, PrintWriter out, PrintWriter err)
            throws InterruptedException, LogClient.Failure {
        String last = lastId;
        long backoffMillis = 1000;
        LogClient.Events events = new LogClient.Events() {
            @Override
            public void record(JsonNode record) {
                out.println(format.format(record));
                out.flush();
            }

            @Override
            public void gap(String reason) {
                out.println(format.notice("spillway logs: not every line stored while disconnected was replayed ("
                        + reason + "); read them with --since"));
                out.flush();
            }

            @Override
            public void missed(long count) {
                out.println(format.notice(
                        "spillway logs: missed " + count + " lines: this client fell behind the live tail"));
                out.flush();
            }
        };
        while (true) {
            try {
                last = client.follow(app, filterParams(), last, events);
                backoffMillis = 1000;
                err.println("spillway logs: connection closed; reconnecting");
            } catch (LogClient.Failure e) {
                if (!e.retryable) {
                    throw e;
                }
                err.println("spillway logs: " + e.getMessage() + "; retrying in " + backoffMillis / 1000 + "s");
            }
            err.flush();
            Thread.sleep(backoffMillis);
            backoffMillis = Math.min(10_000, backoffMillis * 2);
        }
    }

    private Map<String, String> filterParams() {
        Map<String, String> p = LogClient.params();
        if (grep != null) {
            p.put(regex ? "regex" : "grep", grep);
        }
        return p;
    }

    private static void putIfSet(Map<String, String> p, String key, @Nullable String value) {
        if (value != null) {
            p.put(key, value);
        }
    }

    boolean useColour() {
        return switch (colour) {
            case always -> true;
            case never -> false;
            case auto -> env.apply("NO_COLOR") == null && terminal.getAsBoolean();
        };
    }

    /** Resolves server and token (see the class comment) into a client. */
    LogClient client() throws LogClient.Failure {
        return new LogClient(api.resolve(env));
    }

    /** Java 22+ can tell a console that is a terminal from a redirected one; 21 returns null then. */
    static boolean stdoutIsTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
