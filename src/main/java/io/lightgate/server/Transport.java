package io.lightgate.server;

import io.lightgate.os.EventLoops;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
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

    Class<? extends ServerChannel> unixChannel() {
        return epoll ? EpollServerDomainSocketChannel.class : NioServerDomainSocketChannel.class;
    }

    /** Each transport wants its own unix address type (the JDK one makes epoll throw an Error). */
    SocketAddress unixAddress(Path path) {
        return epoll ? new DomainSocketAddress(path.toString()) : UnixDomainSocketAddress.of(path);
    }
}
