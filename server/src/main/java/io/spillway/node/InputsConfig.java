package io.spillway.node;

import io.spillway.input.gelf.GelfConfig;
import io.spillway.input.http.HttpIngestConfig;
import io.spillway.input.syslog.SyslogConfig;

/**
 * The {@code inputs:} section: one key per input protocol.
 *
 * @param syslog syslog over TCP and UDP (docs/inputs/syslog.md)
 * @param gelf GELF over UDP (chunked, compressed) and TCP (docs/inputs/gelf.md)
 * @param http {@code POST /api/v1/ingest} on the HTTP listener (docs/inputs/http.md)
 */
public record InputsConfig(SyslogConfig syslog, GelfConfig gelf, HttpIngestConfig http) {
    public static InputsConfig defaults() {
        return new InputsConfig(SyslogConfig.defaults(), GelfConfig.defaults(), HttpIngestConfig.defaults());
    }
}
