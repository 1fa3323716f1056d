/**
 * The syslog input: RFC 5424 and RFC 3164 (BSD) messages over TCP (RFC 6587 octet counting or LF
 * framing) and UDP (RFC 5426, one message per datagram). The codec ({@link
 * io.spillway.input.syslog.SyslogFrameDecoder}, {@link io.spillway.input.syslog.SyslogDecoder} and
 * its parsers) works without sockets; {@link io.spillway.input.syslog.SyslogInput} is the server.
 */
@NullMarked
package io.spillway.input.syslog;

import org.jspecify.annotations.NullMarked;
