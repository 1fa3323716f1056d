package io.spillway.server.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.spillway.diskguard.FilesystemStatus;
import io.spillway.server.auth.TokenStore;
import io.spillway.store.LogReader;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Where the dashboard reads what it shows; each is a supplier so the node can hand over parts that
 * open later (the store opens in {@code Node.start}) or may be off (disk guard, incidents).
 *
 * @param host this node's host name
 * @param reader the store, null until open (pages then say so)
 * @param tokens who may sign in
 * @param drops dropped records so far, per app and reason
 * @param disks the disk guard's filesystems, empty when the guard is off
 * @param diskWatermarks the disk guard's watermarks in words (e.g. {@code warn 80%, critical 90%}), shown
 *     beside the filesystems
 * @param buffers each output's buffer fill
 * @param config the effective configuration as a tree (secrets are masked by the dashboard)
 * @param limits the guard settings that apply to one app, as a tree
 * @param incidents the incident engine, null when incidents are not enabled
 */
public record DashboardSources(
        String host,
        Supplier<@Nullable LogReader> reader,
        TokenStore tokens,
        Supplier<Map<String, Map<String, Long>>> drops,
        Supplier<List<FilesystemStatus>> disks,
        String diskWatermarks,
        Supplier<List<BufferUse>> buffers,
        Supplier<JsonNode> config,
        Function<String, JsonNode> limits,
        Supplier<@Nullable IncidentView> incidents) {

    /** One output's buffer: what is waiting to be delivered. */
    public record BufferUse(String output, long records, long bytes) {}
}
