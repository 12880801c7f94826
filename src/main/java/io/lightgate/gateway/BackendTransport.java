package io.lightgate.gateway;

import io.lightgate.os.EventLoops;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** The backend channel type that fits a client's event loop: epoll channels on an epoll loop, NIO otherwise. */
record BackendTransport(boolean epoll) {
    private static final BackendTransport EPOLL = new BackendTransport(true);
    private static final BackendTransport NIO = new BackendTransport(false);

    static BackendTransport of(EventLoop loop) {
        boolean epoll = Epoll.isAvailable() && EventLoops.isEpoll(loop);
        return epoll ? EPOLL : NIO;
    }

    Class<? extends Channel> channelType(BackendAddress address) {
        boolean unix = address instanceof BackendAddress.Unix;
        if (epoll) {
            return unix ? EpollDomainSocketChannel.class : EpollSocketChannel.class;
        }
        return unix ? NioDomainSocketChannel.class : NioSocketChannel.class;
    }
}
