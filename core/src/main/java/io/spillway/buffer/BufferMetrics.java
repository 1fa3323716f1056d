package io.spillway.buffer;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.spillway.metrics.Metrics;

/**
 * The gauges and counters of one output's {@link FairBuffer}, all labelled {@code output}. Kept apart
 * from the buffer so that its queueing rules read without the telemetry, and so that every name and
 * help text of the buffer is in one place.
 *
 * <p>Thread-safety: the data points are thread-safe, so the counters may be bumped from any thread
 * (the fsync thread counts its I/O errors outside the buffer's lock). {@link #belowFloor} remembers
 * the last state it published and must be called under the buffer's lock, as every caller does.
 */
final class BufferMetrics {
    private final GaugeDataPoint memory;
    private final GaugeDataPoint disk;
    private final GaugeDataPoint apps;
    private final GaugeDataPoint records;
    private final GaugeDataPoint belowFloorGauge;
    private final CounterDataPoint spilledRecords;
    private final CounterDataPoint spilledBytes;
    private final CounterDataPoint recoveredRecords;
    private final CounterDataPoint truncatedBytes;
    private final CounterDataPoint ioErrors;

    /** The spill filesystem was at or below the floor when last asked; guarded by the buffer's lock. */
    private boolean belowFloor;

    /** Registers the buffer's metrics for output {@code name}. */
    BufferMetrics(Metrics metrics, String name) {
        memory = metrics.gauge(
                        "spillway_buffer_memory_bytes",
                        "Bytes of records an output's buffer holds in memory.",
                        "output")
                .labelValues(name);
        disk = metrics.gauge(
                        "spillway_buffer_disk_bytes", "Bytes of spill segment files of an output's buffer.", "output")
                .labelValues(name);
        apps = metrics.gauge("spillway_buffer_apps", "Apps holding records in an output's buffer.", "output")
                .labelValues(name);
        records = metrics.gauge("spillway_buffer_records", "Records an output's buffer holds.", "output")
                .labelValues(name);
        belowFloorGauge = metrics.gauge(
                        "spillway_buffer_below_floor",
                        "1 while the spill filesystem of an output's buffer is at or below its free-space floor.",
                        "output")
                .labelValues(name);
        spilledRecords = metrics.counter(
                        "spillway_buffer_spilled_records", "Records an output's buffer wrote to disk.", "output")
                .labelValues(name);
        spilledBytes = metrics.counter(
                        "spillway_buffer_spilled_bytes", "Segment bytes an output's buffer wrote to disk.", "output")
                .labelValues(name);
        recoveredRecords = metrics.counter(
                        "spillway_buffer_recovered_records",
                        "Records found on disk when an output's buffer started.",
                        "output")
                .labelValues(name);
        truncatedBytes = metrics.counter(
                        "spillway_buffer_truncated_bytes",
                        "Bytes of torn or corrupt segment data cut at recovery.",
                        "output")
                .labelValues(name);
        ioErrors = metrics.counter(
                        "spillway_buffer_io_errors", "Failed reads, writes and syncs of spill files.", "output")
                .labelValues(name);
    }

    /** Sets the gauges to what the buffer holds now. */
    void publish(long memoryBytes, long diskBytes, int appCount, long recordCount) {
        memory.set(memoryBytes);
        disk.set(diskBytes);
        apps.set(appCount);
        records.set(recordCount);
    }

    /** Raises or lowers the floor gauge; only a change is published. */
    void belowFloor(boolean below) {
        if (below != belowFloor) {
            belowFloor = below;
            belowFloorGauge.set(below ? 1 : 0);
        }
    }

    /** One batch of {@code count} records reached disk, growing the spill files by {@code fileBytes}. */
    void spilled(int count, long fileBytes) {
        spilledRecords.inc(count);
        spilledBytes.inc(fileBytes);
    }

    void recovered(long count) {
        recoveredRecords.inc(count);
    }

    void truncated(long bytes) {
        truncatedBytes.inc(bytes);
    }

    /** A read, write or sync of a spill file failed (the caller logs what and why). */
    void ioError() {
        ioErrors.inc();
    }
}
