package io.spillway.node;

import io.spillway.input.forward.ForwardConfig;
import io.spillway.input.gelf.GelfConfig;
import io.spillway.input.http.HttpIngestConfig;
import io.spillway.input.syslog.SyslogConfig;
import io.spillway.input.tail.TailConfig;

/**
 * The {@code inputs:} section: one key per input protocol.
 *
 * @param syslog syslog over TCP and UDP (docs/inputs/syslog.md)
 * @param gelf GELF over UDP (chunked, compressed) and TCP (docs/inputs/gelf.md)
 * @param tail tailing Docker json-file and CRI logs on this host, opt-in (docs/inputs/tail.md)
 * @param http {@code POST /api/v1/ingest} on the HTTP listener (docs/inputs/http.md)
 * @param forward the fluent forward protocol over TCP: Docker's fluentd driver, Fluentd, Fluent Bit
 *     (docs/inputs/forward.md)
 */
public record InputsConfig(
        SyslogConfig syslog, GelfConfig gelf, TailConfig tail, HttpIngestConfig http, ForwardConfig forward) {
    public static InputsConfig defaults() {
        return new InputsConfig(
                SyslogConfig.defaults(),
                GelfConfig.defaults(),
                TailConfig.defaults(),
                HttpIngestConfig.defaults(),
                ForwardConfig.defaults());
    }
}
