package io.lightgate.server;

import io.lightgate.os.ErrnoException;
import io.lightgate.os.EventLoops;
import io.lightgate.os.Posix;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/** Native epoll when available, else NIO: the event loop groups and the matching channel types. */
record Transport(EventLoopGroup boss, EventLoopGroup workers, boolean epoll) {

    /** {@code eventLoops} worker loops; 0 means one per core. */
    static Transport create(int eventLoops) {
        boolean epoll = Epoll.isAvailable();
        var factory = EventLoops.closingAtDestroy(epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        int threads = eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
        return new Transport(new MultiThreadIoEventLoopGroup(1, factory),
                new MultiThreadIoEventLoopGroup(threads, factory), epoll);
    }

    Class<? extends ServerChannel> tcpChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * A TCP listening channel for {@code address}, of the address's own family as lighttpd makes it. Netty's
     * default socket is dual-stack and binds 0.0.0.0 as "::", which would also claim IPv6 (and collide with a
     * {@code [::]:80} listener beside it: Debian's default config binds both). With {@code v6only} an IPv6 socket
     * gets IPV6_V6ONLY, as lighttpd sets it ({@code server.set-v6only}). NIO cannot choose either; there the
     * JDK's defaults stay.
     */
    ChannelFactory<ServerChannel> tcpChannelFor(InetSocketAddress address, boolean v6only) {
        if (!epoll) {
            return new ReflectiveChannelFactory<>(tcpChannel());
        }
        if (!(address.getAddress() instanceof Inet6Address)) {
            return () -> new EpollServerSocketChannel(SocketProtocolFamily.INET);
        }
        return () -> {
            EpollServerSocketChannel channel = new EpollServerSocketChannel(SocketProtocolFamily.INET6);
            if (v6only) {
                try {
                    Posix.setIpv6Only(channel.fd().intValue());
                } catch (ErrnoException e) {
                    channel.unsafe().closeForcibly();
                    throw new ChannelException(e.getMessage(), e);
                }
            }
            return channel;
        };
    }

    Class<? extends ServerChannel> unixChannel() {
        return epoll ? EpollServerDomainSocketChannel.class : NioServerDomainSocketChannel.class;
    }

    /** Each transport wants its own unix address type (the JDK one makes epoll throw an Error). */
    SocketAddress unixAddress(Path path) {
        return epoll ? new DomainSocketAddress(path.toString()) : UnixDomainSocketAddress.of(path);
    }
}
