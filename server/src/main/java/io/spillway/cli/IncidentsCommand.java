package io.spillway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.clock.SystemClock;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
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
 * {@code spillway incidents [show ID]}, {@code spillway ack ID}, {@code spillway resolve ID}: the
 * incident API from a terminal (an admin token; the server and token are found like {@code spillway
 * logs} finds them, see {@link ApiOptions}).
 */
@Command(
        name = "incidents",
        mixinStandardHelpOptions = true,
        description = {
            "List the incidents of a running Spillway, newest first.",
            "  ID  SEVERITY  STATE      AGE  HOST    APP  SUMMARY",
            // picocli formats descriptions: a percent sign is written twice.
            "  7   critical  triggered  2m   node-7  -    /var/lib/docker 91%% used ...",
            "'spillway incidents show ID' prints one with its timeline; 'spillway ack ID' and 'spillway resolve ID'"
                    + " act on one.",
            ""
        },
        footer = {
            "",
            "Server: --server, else SPILLWAY_URL, else the config's http.listen.",
            "Token (admin): --token, else SPILLWAY_TOKEN, else <data_dir>/admin.token.",
            "Exit status: 0 ok, 1 server or access error, 2 bad usage."
        },
        subcommands = {IncidentsCommand.Show.class})
final class IncidentsCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ApiOptions api = new ApiOptions();

    @Option(
            names = "--state",
            paramLabel = "STATE",
            defaultValue = "open",
            description = "open (triggered or acknowledged), triggered, acknowledged, resolved or all"
                    + " (default ${DEFAULT-VALUE}).")
    State state;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "100",
            description = "At most N (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print the API's JSON instead of a table.")
    boolean json;

    enum State {
        open,
        triggered,
        acknowledged,
        resolved,
        all
    }

    /** The environment; tests replace it. */
    Function<String, @Nullable String> env = System::getenv;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (limit < 1 || limit > 10_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be 1..10000, got " + limit);
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("state", state.name());
        params.put("limit", Integer.toString(limit));
        try {
            JsonNode r = new IncidentClient(api.resolve(env)).list(params);
            if (json) {
                out.println(r.toString());
            } else if (r.path("incidents").isEmpty()) {
                out.println("no " + (state == State.all ? "" : state.name() + " ") + "incidents");
            } else {
                IncidentFormat.table(
                                r.path("incidents"), SystemClock.instantSource().instant())
                        .forEach(out::println);
            }
            out.flush();
            return 0;
        } catch (LogClient.Failure e) {
            return fail(err, e);
        }
    }

    static int fail(PrintWriter err, LogClient.Failure e) {
        err.println("spillway: " + e.getMessage());
        err.flush();
        return 1;
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description =
                    "Print one incident: its facts and its timeline (what happened, who was paged, who acknowledged).")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ApiOptions api = new ApiOptions();

        @Parameters(paramLabel = "ID", description = "The incident's number.")
        long id;

        @Option(names = "--json", description = "Print the API's JSON instead.")
        boolean json;

        Function<String, @Nullable String> env = System::getenv;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            try {
                JsonNode r = new IncidentClient(api.resolve(env)).show(id);
                if (json) {
                    out.println(r.toString());
                } else {
                    IncidentFormat.details(r, SystemClock.instantSource().instant())
                            .forEach(out::println);
                }
                out.flush();
                return 0;
            } catch (LogClient.Failure e) {
                return fail(spec.commandLine().getErr(), e);
            }
        }
    }

    /** {@code spillway ack ID} and {@code spillway resolve ID}. */
    abstract static class Act implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ApiOptions api = new ApiOptions();

        @Parameters(paramLabel = "ID", description = "The incident's number (see 'spillway incidents').")
        long id;

        @Option(names = "--by", paramLabel = "NAME", description = "Who does it (default: the token's name).")
        @Nullable
        String by;

        Function<String, @Nullable String> env = System::getenv;

        abstract String action();

        abstract String done();

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            try {
                JsonNode r = new IncidentClient(api.resolve(env)).act(id, action(), by);
                String state = r.path("state").asText();
                out.println("#" + r.path("id").asText() + " " + state
                        + (state.equals(done()) ? "" : " (was already " + state + ")") + ": "
                        + r.path("summary").asText());
                out.flush();
                return 0;
            } catch (LogClient.Failure e) {
                return fail(spec.commandLine().getErr(), e);
            }
        }
    }

    @Command(
            name = "ack",
            mixinStandardHelpOptions = true,
            description = {
                "Acknowledge an incident: paging stops, and the targets already paged are told.",
                "Acknowledging twice changes nothing."
            })
    static final class Ack extends Act {
        @Override
        String action() {
            return "ack";
        }

        @Override
        String done() {
            return "acknowledged";
        }
    }

    @Command(
            name = "resolve",
            mixinStandardHelpOptions = true,
            description = {
                "Resolve an incident by hand: paging stops, and the targets already paged are told.",
                "A condition that fires again later opens it again (or a new one)."
            })
    static final class Resolve extends Act {
        @Override
        String action() {
            return "resolve";
        }

        @Override
        String done() {
            return "resolved";
        }
    }
}
