package io.spillway.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A real Docker daemon for the ITs: Debian's {@code dockerd}, started by the tests with its own data
 * root (under the build directory), exec root, pid file and socket, {@code --bridge=none
 * --iptables=false}, and stopped when the test JVM exits. Containers run an image imported from the
 * {@code busybox-static} binary (no registry is reachable here), with {@code --network none}: the
 * logging drivers run inside dockerd, on the host's loopback, where Spillway listens.
 *
 * <p>{@link #get()} answers null, with {@link #unavailable()} saying why, where no daemon can run
 * (not installed, not root, refused to start): the tests skip with that message.
 */
final class Docker {
    static final String IMAGE = "spillway-busybox:it";

    private static @Nullable Docker instance;
    private static @Nullable String why;

    final Path dataRoot;
    final String host;
    private final String cli;

    private Docker(Path dataRoot, String host, String cli) {
        this.dataRoot = dataRoot;
        this.host = host;
        this.cli = cli;
    }

    static synchronized @Nullable Docker get() {
        if (instance != null || why != null) {
            return instance;
        }
        try {
            instance = start();
        } catch (Exception e) {
            why = e.getMessage();
        }
        return instance;
    }

    static synchronized String unavailable() {
        return "no Docker daemon can run here: " + why;
    }

    private static Docker start() throws Exception {
        Path dockerd = Path.of("/usr/sbin/dockerd");
        if (!Files.isExecutable(dockerd)) {
            throw new IOException("dockerd is not installed (Debian: apt-get install docker.io)");
        }
        String cli = Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IOException("dockerd needs root, and the tests run as " + System.getProperty("user.name"));
        }
        Path busybox =
                Files.isExecutable(Path.of("/bin/busybox")) ? Path.of("/bin/busybox") : Path.of("/usr/bin/busybox");
        if (!Files.isExecutable(busybox)) {
            throw new IOException("busybox is not installed (Debian: apt-get install busybox-static)");
        }
        Path base = Path.of("target", "docker").toAbsolutePath();
        Path dataRoot = base.resolve("root");
        Files.createDirectories(dataRoot);
        // Unix socket paths are short (108 bytes): the exec root and the socket live under /tmp.
        Path run = Files.createTempDirectory("spw-dk-");
        String host = "unix://" + run.resolve("docker.sock");
        Process p = new ProcessBuilder(
                        dockerd.toString(),
                        "--data-root",
                        dataRoot.toString(),
                        "--exec-root",
                        run.resolve("exec").toString(),
                        "--pidfile",
                        run.resolve("docker.pid").toString(),
                        "-H",
                        host,
                        "--bridge=none",
                        "--iptables=false",
                        "--ip6tables=false")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        base.resolve("dockerd.log").toFile()))
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            p.destroy();
            try {
                p.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            p.destroyForcibly();
        }));
        Docker d = new Docker(dataRoot, host, cli);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            if (!p.isAlive()) {
                throw new IOException("dockerd exited with " + p.exitValue() + "; see " + base.resolve("dockerd.log"));
            }
            if (d.docker("version").exit() == 0) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("dockerd did not answer within 60 s; see " + base.resolve("dockerd.log"));
            }
            Thread.sleep(250);
        }
        d.importBusybox(busybox, base);
        return d;
    }

    /** {@code docker import} of a root holding busybox and its applets: the image every test runs. */
    private void importBusybox(Path busybox, Path base) throws Exception {
        if (docker("image", "inspect", IMAGE).exit() == 0) {
            return;
        }
        Path root = base.resolve("busybox-root");
        Files.createDirectories(root.resolve("bin"));
        Files.copy(busybox, root.resolve("bin/busybox"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Result list = exec(List.of(busybox.toString(), "--list"), null);
        for (String applet : list.out().split("\\s+")) {
            Path link = root.resolve("bin").resolve(applet);
            if (!applet.isBlank() && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, Path.of("busybox"));
            }
        }
        Result r = exec(
                List.of("bash", "-c", "tar -C '" + root + "' -c . | " + cli + " -H " + host + " import - " + IMAGE),
                null);
        if (r.exit() != 0) {
            throw new IOException("docker import failed: " + r.out());
        }
    }

    record Result(int exit, String out) {}

    Result docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(cli, "-H", host));
        cmd.addAll(List.of(args));
        return exec(cmd, null);
    }

    /** {@code docker run --rm --network none ARGS... IMAGE sh -c SCRIPT}; waits for it to end. */
    Result run(List<String> args, String script) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(cli, "-H", host, "run", "--rm", "--network", "none"));
        cmd.addAll(args);
        cmd.addAll(List.of(IMAGE, "sh", "-c", script));
        return exec(cmd, null);
    }

    private static Result exec(List<String> cmd, @Nullable Path dir) throws IOException, InterruptedException {
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            b.directory(dir.toFile());
        }
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, out + "\n(timed out)");
        }
        return new Result(p.exitValue(), out);
    }
}
