package io.lightgate.gateway;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/** Where one proc of a backend host listens: a TCP address or a unix socket path. */
public sealed interface BackendAddress {

    /** The address for a Netty channel of the given transport (epoll wants its own unix address type). */
    SocketAddress toSocketAddress(boolean epoll);

    record Tcp(InetSocketAddress address) implements BackendAddress {
        @Override
        public SocketAddress toSocketAddress(boolean epoll) {
            return address;
        }

        @Override
        public String toString() {
            String ip = address.getAddress().getHostAddress();
            return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + address.getPort();
        }
    }

    record Unix(Path path) implements BackendAddress {
        @Override
        public SocketAddress toSocketAddress(boolean epoll) {
            return epoll ? new io.netty.channel.unix.DomainSocketAddress(path.toString())
                    : UnixDomainSocketAddress.of(path);
        }

        @Override
        public String toString() {
            return "unix:" + path;
        }
    }
}
