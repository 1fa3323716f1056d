package io.spillway.input.netty;

import io.spillway.config.Check;
import io.spillway.config.DataSize;
import io.spillway.config.ListenAddress;
import java.util.Objects;

/**
 * A UDP listener of a network input (the {@code udp} key of syslog and GELF), bound by {@link
 * NettyServer#bindUdp(UdpListener, io.netty.channel.ChannelHandler, String)}: whole datagrams of at most
 * {@value NettyServer#MAX_DATAGRAM} bytes.
 *
 * @param enabled listen on UDP
 * @param listen address and port
 * @param receiveBuffer kernel receive buffer (SO_RCVBUF) to ask for, at least 1KiB
 */
public record UdpListener(boolean enabled, ListenAddress listen, DataSize receiveBuffer) {
    public UdpListener {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(receiveBuffer, "receive_buffer");
        Check.between(receiveBuffer.bytes(), 1024, Integer.MAX_VALUE, "receive_buffer");
    }
}
