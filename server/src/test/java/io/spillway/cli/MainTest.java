package io.spillway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MainTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Main.execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void version_printsVersionAndJava() {
        Run r = run("--version");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("spillway ").contains("Java ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "logs", "token", "config", "flood"})
    void help_onEveryCommand_exitsZeroAndTeaches(String command) {
        Run r = run(command, "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Usage: spillway " + command);
    }

    @Test
    void configCheck_goodFile_ok() throws Exception {
        Path f = dir.resolve("good.yaml");
        Files.writeString(f, "http:\n  listen: 127.0.0.1:9090\n");
        Run r = run("config", "check", f.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("good.yaml: ok");
    }

    @Test
    void configCheck_badFile_listsEveryProblemWithKeyPath() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "http:\n  listen: nowhere\n  max_threads: 1\nshutdown_drian: 5s\n");
        Run r = run("config", "check", f.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err())
                .contains("http.listen: expected an address like 127.0.0.1:5514, got \"nowhere\"")
                .contains("shutdown_drian: unknown key");
    }

    @Test
    void configCheck_targetSecretFromUnsetVariable_reportedBeforeRun() throws Exception {
        Path f = dir.resolve("targets.yaml");
        Files.writeString(f, """
                alert:
                  targets:
                    oncall:
                      type: webhook
                      url: https://hooks.example.com/spillway
                      secret_env: SPILLWAY_TEST_SECRET_THAT_IS_NEVER_SET
                """);
        Run r = run("config", "check", f.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err())
                .contains("alert.targets.oncall.secret_env: environment variable"
                        + " SPILLWAY_TEST_SECRET_THAT_IS_NEVER_SET is not set or empty");
    }

    @Test
    void configCheck_setOverride_isValidatedToo() throws Exception {
        Path f = dir.resolve("empty.yaml");
        Files.writeString(f, "");
        Run r = run("config", "check", f.toString(), "--set", "http.max_request_body=lots");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("http.max_request_body: expected a size like 64KiB");
    }

    @Test
    void configCheck_floorsThatCannotWork_listedWithTheirKeys() throws Exception {
        Path f = dir.resolve("floors.yaml");
        Files.writeString(f, "");
        Run r = run(
                "config",
                "check",
                f.toString(),
                "--set",
                "data_dir=" + dir.resolve("data"),
                "--set",
                "outputs.store.min_free_space=1000000TiB",
                "--set",
                "buffer.floor=1MiB",
                "--set",
                "alert.min_free_space=2MiB");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err())
                .contains("outputs.store.min_free_space: the floor 1000000TiB")
                .contains(
                        "does not fit the filesystem of " + dir.resolve("data").resolve("store"))
                .contains("alert.min_free_space: the incident store's floor 2MiB")
                .contains("must be below buffer.floor 1MiB");
    }

    @Test
    void configCheck_print_showsEffectiveConfigThatChecksAgain() throws Exception {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, "shutdown_drain: 3s\n");
        Run r = run("config", "check", "--print", f.toString());
        assertThat(r.out()).contains("shutdown_drain: \"3s\"");
        Path printed = dir.resolve("printed.yaml");
        Files.writeString(printed, r.out().substring(0, r.out().lastIndexOf(f.toString())));
        assertThat(run("config", "check", printed.toString()).exit()).isZero();
    }

    @Test
    void configDefaults_printsEveryTopLevelKey() {
        Run r = run("config", "defaults");
        assertThat(r.out())
                .contains("data_dir:")
                .contains("http:")
                .contains("inputs:")
                .contains("outputs:");
    }

    @Test
    void run_badConfig_exits2WithKeyPath() {
        Run r = run(
                "run",
                "--set",
                "http.listen=nowhere",
                "--data-dir",
                dir.resolve("d").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("http.listen: expected an address");
    }

    @Test
    void configCheck_invalidYaml_namesTheFileOnce() throws Exception {
        Path f = dir.resolve("bad2.yaml");
        Files.writeString(f, "http: [unclosed\n");
        Run r = run("config", "check", f.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(f + ": not valid YAML").doesNotContain(f + ": " + f);
    }

    @Test
    void configCheck_missingFile_saysWhy() {
        Path f = dir.resolve("nowhere.yaml");
        Run r = run("config", "check", f.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(f + ": cannot read config file: no such file");
    }

    @Test
    void configCheck_badOverride_isAttributedToSetNotTheFile() throws Exception {
        Path f = dir.resolve("fine.yaml");
        Files.writeString(f, "shutdown_drain: 3s\n");
        Run r = run("config", "check", f.toString(), "--set", "http.max_request_body=lots", "--set", "oops");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err())
                .contains("--set: http.max_request_body: expected a size")
                .contains("--set oops: expected path.to.key=value")
                .doesNotContain(f.toString());
    }

    @Test
    void help_everyCommandAndSubcommand_noWarningsAndWholeSentenceSummaries() {
        java.util.ArrayDeque<picocli.CommandLine> todo = new java.util.ArrayDeque<>();
        todo.add(new picocli.CommandLine(new Main()));
        int seen = 0;
        while (!todo.isEmpty()) {
            picocli.CommandLine cl = todo.poll();
            todo.addAll(cl.getSubcommands().values());
            java.util.List<String> args = new java.util.ArrayList<>(
                    java.util.List.of(cl.getCommandSpec().qualifiedName().split(" ")));
            if (args.get(args.size() - 1).equals("help")) {
                continue; // picocli's own help command
            }
            args.remove(0);
            args.add("--help");
            Run r = run(args.toArray(String[]::new));
            seen++;
            assertThat(r.exit()).as(args.toString()).isZero();
            assertThat(r.err()).as(args + " prints no warning").doesNotContain("WARN");
            String[] description = cl.getCommandSpec().usageMessage().description();
            assertThat(description).as(args + " has a description").isNotEmpty();
            // The first line is the summary in the parent's command list: a whole sentence.
            assertThat(description[0]).as(args + " summary").matches("[A-Z].*[.]");
        }
        assertThat(seen).as("commands checked").isGreaterThan(10);
    }
}
