package io.spillway.input.tail;

import io.spillway.component.BuildContext;
import io.spillway.component.DiskUse;
import io.spillway.component.InputSpec;
import io.spillway.config.Check;
import io.spillway.config.DataSize;
import io.spillway.pipeline.Input;
import io.spillway.space.SpaceConfig;
import io.spillway.space.SpaceFloor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of the tail input (key {@code inputs.tail} in the node's file).
 *
 * <pre>{@code
 * enabled: false                         # opt-in: tailing system directories needs root and consent
 * docker_root: /var/lib/docker/containers # <id>/<id>-json.log of the json-file driver; empty = off
 * cri_root: /var/log/pods                # <ns>_<pod>_<uid>/<container>/N.log; empty = off
 * scan_interval: 1s                      # how often directories are listed and files read
 * max_open_files: 512                    # files held open at most; more wait (counted max_open_files)
 * max_line: 256KiB                       # longest joined line; longer ones are cut (counted too_large)
 * read_buffer: 64KiB                     # bytes read from a file per read call
 * checkpoint: ""                         # offsets file; empty = <data_dir>/tail-checkpoints.json
 * app_label: ""                          # Docker label naming the app; empty = the container name
 * host: ""                               # host of the records; empty = this machine's host name
 * read_from: beginning                   # first start only: ship existing logs (beginning) or skip them (end)
 * watch: true                            # inotify: a new file is read at once, not at the next scan
 * }</pre>
 *
 * <p>Memory: each open file holds one {@code read_buffer} and at most one file line (bounded by
 * {@code max_line} plus {@link #FILE_LINE_SLACK} for JSON escapes), so the input holds at most
 * {@code max_open_files × (read_buffer + max_line + slack)}.
 *
 * @param enabled run the tail input; default false
 * @param dockerRoot directory of Docker containers; empty path disables Docker tailing
 * @param criRoot directory of CRI pod logs; empty path disables CRI tailing
 * @param scanInterval pause between polling rounds, default 1s
 * @param maxOpenFiles files open at most, default 512, at least 1
 * @param maxLine longest joined line, default 256KiB, between 1KiB and 16MiB
 * @param readBuffer bytes per read, default 64KiB, between 4KiB and 16MiB
 * @param checkpoint offsets file; empty = {@code <data_dir>/tail-checkpoints.json}
 * @param appLabel Docker label whose value is the app; empty = the container name
 * @param host host name put on records; empty = this machine's host name
 * @param readFrom where files that already exist at the first start (no checkpoint file yet) are read
 *     from: {@code beginning} (default; existing logs are shipped) or {@code end} (only lines appended
 *     from now on). Files found later, and every file once a checkpoint exists, are read as usual.
 * @param watch also watch the directories for new containers and files (inotify, through the JDK's
 *     {@code WatchService}), so that a round runs as soon as one appears instead of at the next scan:
 *     a {@code docker run --rm} container that lives less than {@code scan_interval} is read before
 *     its log is deleted. Default true; polling alone (false) for file systems without inotify (NFS).
 *     At most {@code max_open_files} directories are watched; the rest are found by the scan.
 */
public record TailConfig(
        boolean enabled,
        Path dockerRoot,
        Path criRoot,
        Duration scanInterval,
        int maxOpenFiles,
        DataSize maxLine,
        DataSize readBuffer,
        String checkpoint,
        String appLabel,
        String host,
        ReadFrom readFrom,
        boolean watch)
        implements InputSpec {

    /** A json-file line carries a 16 KiB entry escaped (up to 6 bytes per byte) plus keys. */
    public static final int FILE_LINE_SLACK = 6 * DockerJsonLineDecoder.DOCKER_PARTIAL_SIZE + 4096;

    public TailConfig {
        Objects.requireNonNull(dockerRoot, "docker_root");
        Objects.requireNonNull(criRoot, "cri_root");
        Objects.requireNonNull(scanInterval, "scan_interval");
        Objects.requireNonNull(maxLine, "max_line");
        Objects.requireNonNull(readBuffer, "read_buffer");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(appLabel, "app_label");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(readFrom, "read_from");
        Check.positive(scanInterval, "scan_interval");
        Check.atLeast(maxOpenFiles, 1, "max_open_files");
        Check.between(maxLine.bytes(), 1024, 16 * 1024 * 1024, "max_line");
        Check.between(readBuffer.bytes(), 4096, 16 * 1024 * 1024, "read_buffer");
        Check.require(host.length() <= 255, "host", "must be at most 255 characters, got " + host.length());
    }

    /** The configuration with directory watching on. */
    public TailConfig(
            boolean enabled,
            Path dockerRoot,
            Path criRoot,
            Duration scanInterval,
            int maxOpenFiles,
            DataSize maxLine,
            DataSize readBuffer,
            String checkpoint,
            String appLabel,
            String host,
            ReadFrom readFrom) {
        this(
                enabled,
                dockerRoot,
                criRoot,
                scanInterval,
                maxOpenFiles,
                maxLine,
                readBuffer,
                checkpoint,
                appLabel,
                host,
                readFrom,
                true);
    }

    /** The configuration with {@code read_from: beginning}. */
    public TailConfig(
            boolean enabled,
            Path dockerRoot,
            Path criRoot,
            Duration scanInterval,
            int maxOpenFiles,
            DataSize maxLine,
            DataSize readBuffer,
            String checkpoint,
            String appLabel,
            String host) {
        this(
                enabled,
                dockerRoot,
                criRoot,
                scanInterval,
                maxOpenFiles,
                maxLine,
                readBuffer,
                checkpoint,
                appLabel,
                host,
                ReadFrom.BEGINNING);
    }

    /** Where files that exist at the first start are read from. */
    public enum ReadFrom {
        /** From their first byte: existing logs are shipped. */
        BEGINNING,
        /** From their last complete line: only what is appended from now on is shipped. */
        END
    }

    public static TailConfig defaults() {
        return new TailConfig(
                false,
                Path.of("/var/lib/docker/containers"),
                Path.of("/var/log/pods"),
                Duration.ofSeconds(1),
                512,
                DataSize.ofKiB(256),
                DataSize.ofKiB(64),
                "",
                "",
                "",
                ReadFrom.BEGINNING,
                true);
    }

    /** The checkpoint file: {@code checkpoint} when set, else {@code tail-checkpoints.json} in dataDir. */
    public Path checkpointFile(Path dataDir) {
        return checkpoint.isEmpty() ? dataDir.resolve("tail-checkpoints.json") : Path.of(checkpoint);
    }

    public int maxLineBytes() {
        return (int) maxLine.bytes();
    }

    public int readBufferBytes() {
        return (int) readBuffer.bytes();
    }

    /** The checkpoint file, under the general floor {@code space.min_free_space}. */
    @Override
    public java.util.List<DiskUse> diskUses(Path dataDir, SpaceFloor spaceFloor) {
        Path checkpoint = checkpointFile(dataDir).toAbsolutePath();
        Path dir = checkpoint.getParent() == null ? dataDir : checkpoint.getParent();
        return java.util.List.of(new DiskUse(CHECKPOINT_KIND, "tail", dir, spaceFloor, SpaceConfig.MIN_FREE_SPACE_KEY));
    }

    /** The space writer kind of the checkpoint. */
    public static final String CHECKPOINT_KIND = "tail_checkpoint";

    @Override
    public Input build(String name, BuildContext ctx) {
        return new TailInput(
                this, checkpointFile(ctx.dataDir()), ctx.inputMetrics(name), ctx.clock(), ctx.space(CHECKPOINT_KIND));
    }
}
