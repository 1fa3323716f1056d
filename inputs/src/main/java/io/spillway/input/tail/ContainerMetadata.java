package io.spillway.input.tail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.spillway.record.AppNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Who wrote a container log file: the app name records get, and fields describing the container.
 *
 * <p>Docker ({@code <docker_root>/<id>/<id>-json.log}): {@code config.v2.json} beside the log is
 * read, at most {@link #MAX_CONFIG_BYTES} bytes; the app is the value of the label named by {@code
 * app_label} when set and present, else the container {@code Name} without its leading slash ({@code
 * /web-1} → {@code web-1}). If the file is missing, too large or unreadable the app is the first 12
 * characters of the container id (what {@code docker ps} shows), so records are never unattributed.
 *
 * <p>CRI ({@code <cri_root>/<namespace>_<pod>_<uid>/<container>/<restart>.log}): the app is the
 * <em>container</em> name. Decision: the pod name carries a per-replica hash suffix ({@code
 * web-7d4b9c-x2x9z}) and would make one app per replica and per rollout, so per-app budgets and the
 * app-label cap would reset on every deploy; the container name is stable across replicas and
 * restarts. Namespace and pod are kept as fields {@code k8s_namespace} and {@code k8s_pod}.
 *
 * <p>All app names pass through {@link AppNames#normalize}. Immutable; the static readers are
 * thread-safe.
 *
 * @param app the normalized app name
 * @param fields extra fields for every record of the file ({@code container_id}, {@code
 *     container_name}, {@code k8s_namespace}, {@code k8s_pod})
 */
public record ContainerMetadata(String app, Map<String, String> fields) {
    /** Bound on {@code config.v2.json}: real ones are a few KiB; anything larger is not trusted. */
    public static final long MAX_CONFIG_BYTES = 1024 * 1024;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(
                    StreamReadConstraints.builder().maxNestingDepth(32).build())
            .build();

    public ContainerMetadata {
        Objects.requireNonNull(app, "app");
        fields = Map.copyOf(fields);
    }

    /**
     * Metadata of a json-file log, from the {@code config.v2.json} in the same directory.
     *
     * @param appLabel label whose value is the app ({@code app_label}); empty = use the name
     */
    public static ContainerMetadata docker(Path logFile, String appLabel) {
        Path dir = logFile.toAbsolutePath().getParent();
        String id = dir == null || dir.getFileName() == null
                ? ""
                : dir.getFileName().toString();
        String shortId = id.length() > 12 ? id.substring(0, 12) : id;
        Map<String, String> fields = new LinkedHashMap<>();
        if (!id.isEmpty()) {
            fields.put("container_id", id.length() > 64 ? id.substring(0, 64) : id);
        }
        Parsed parsed = dir == null ? null : readConfig(dir.resolve("config.v2.json"), appLabel);
        String raw = shortId;
        if (parsed != null) {
            if (parsed.name != null && !parsed.name.isEmpty()) {
                String name = AppNames.normalize(parsed.name);
                fields.put("container_name", name);
                raw = name;
            }
            if (parsed.label != null && !parsed.label.isEmpty()) {
                raw = parsed.label;
            }
        }
        return new ContainerMetadata(AppNames.normalize(raw), fields);
    }

    /** Metadata of a CRI log from its path {@code .../<namespace>_<pod>_<uid>/<container>/N.log}. */
    public static ContainerMetadata cri(Path logFile) {
        Path containerDir = logFile.getParent();
        Path podDir = containerDir == null ? null : containerDir.getParent();
        if (containerDir == null || containerDir.getFileName() == null) {
            return new ContainerMetadata(AppNames.UNKNOWN, Map.of());
        }
        String container = containerDir.getFileName().toString();
        Map<String, String> fields = new LinkedHashMap<>();
        if (podDir != null && podDir.getFileName() != null) {
            // namespace and pod names cannot contain '_' (DNS-1123), so the split is unambiguous
            String[] parts = podDir.getFileName().toString().split("_", 3);
            if (parts.length == 3) {
                fields.put("k8s_namespace", AppNames.normalize(parts[0]));
                fields.put("k8s_pod", AppNames.normalize(parts[1]));
            }
        }
        fields.put("container_name", AppNames.normalize(container));
        return new ContainerMetadata(AppNames.normalize(container), fields);
    }

    private record Parsed(@Nullable String name, @Nullable String label) {}

    private static @Nullable Parsed readConfig(Path config, String appLabel) {
        try {
            if (!Files.isRegularFile(config) || Files.size(config) > MAX_CONFIG_BYTES) {
                return null;
            }
            byte[] bytes = Files.readAllBytes(config);
            if (bytes.length > MAX_CONFIG_BYTES) {
                return null; // grew between size() and read
            }
            String name = null;
            String label = null;
            try (JsonParser p = JSON.createParser(bytes)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return null;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    JsonToken v = p.nextToken();
                    if (key.equals("Name") && v == JsonToken.VALUE_STRING) {
                        name = p.getText();
                    } else if (key.equals("Config") && v == JsonToken.START_OBJECT) {
                        label = labelFromConfig(p, appLabel);
                    } else {
                        p.skipChildren();
                    }
                }
            }
            return new Parsed(name, label);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Reads the {@code Config} object (parser on its START_OBJECT) up to its END_OBJECT. */
    private static @Nullable String labelFromConfig(JsonParser p, String appLabel) throws IOException {
        String label = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            if (key.equals("Labels") && v == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String labelKey = p.currentName();
                    JsonToken lv = p.nextToken();
                    if (!appLabel.isEmpty() && labelKey.equals(appLabel) && lv == JsonToken.VALUE_STRING) {
                        label = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        return label;
    }
}
