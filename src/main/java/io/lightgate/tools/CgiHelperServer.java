package io.lightgate.tools;

import io.lightgate.os.EventLoops;
import io.lightgate.os.Posix;
import io.lightgate.os.Sockets;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.ServerChannel;

import java.io.IOException;
import java.io.PrintStream;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server half of {@code lightgate scgi-cgi} and {@code lightgate fcgi-cgi}: accepts on an inherited
 * listening socket (unix or TCP, found with getsockname) and runs one {@link CgiBridge} per connection. At most
 * {@code maxRequests} connections are served at once; beyond that it stops accepting and the kernel's backlog
 * holds the rest. {@link #shutdownGracefully()} stops accepting, lets running requests finish, sends their
 * programs SIGTERM after a grace period (SIGKILL after the kill grace), closes connections still open a second
 * later, and completes {@link #terminated()}.
 */
public final class CgiHelperServer {

    /** Which protocol the helper speaks, and its name in log lines. */
    public enum Protocol {
        SCGI("scgi-cgi"), FASTCGI("fcgi-cgi");

        final String programName;

        Protocol(String programName) {
            this.programName = programName;
        }
    }

    /**
     * @param maxRequests   requests (connections) served at once ({@code -c}, default 16 as lighttpd's fcgi-cgi)
     * @param killGrace     SIGTERM to SIGKILL for a program whose client went away
     * @param shutdownGrace how long a graceful shutdown lets running programs finish before SIGTERM
     */
    public record Options(int maxRequests, Duration killGrace, Duration shutdownGrace) {
        public static final Options DEFAULTS = new Options(16, Duration.ofSeconds(5), Duration.ofSeconds(5));

        public Options {
            if (maxRequests < 1) {
                throw new IllegalArgumentException("at least one request at once");
            }
        }
    }

    private final Protocol protocol;
    private final Options options;
    private final PrintStream err;
    private final MultiThreadIoEventLoopGroup group;
    private final AtomicInteger active = new AtomicInteger();
    private final Set<CgiBridge> bridges = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private ServerChannel server;

    private CgiHelperServer(Protocol protocol, Options options, PrintStream err, int threads) {
        this.protocol = protocol;
        this.options = options;
        this.err = err;
        this.group = new MultiThreadIoEventLoopGroup(threads, EventLoops.epoll());
    }

    /**
     * Serves the listening socket {@code listenFd} (fd 0 for the real program), taking ownership of it.
     * Fails when it is not a socket.
     */
    public static CgiHelperServer start(Protocol protocol, int listenFd, Options options, PrintStream err)
            throws IOException {
        SocketAddress local = Sockets.localAddress(listenFd);
        // Netty's accept loop must not block; the descriptor is ours alone once the spawner closed its copy.
        Posix.setNonBlocking(listenFd);
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        CgiHelperServer helper = new CgiHelperServer(protocol, options, err, threads);
        // (fd, true): the one-argument constructor takes a unix socket as not yet listening and never accepts
        ServerChannel channel = local instanceof UnixDomainSocketAddress
                ? new EpollServerDomainSocketChannel(listenFd, true)
                : new EpollServerSocketChannel(listenFd);
        // one accept per wake-up, so the limit below is checked before the next connection is taken
        channel.config().setOption(ChannelOption.MAX_MESSAGES_PER_READ, 1);
        channel.pipeline().addLast(helper.new Acceptor());
        helper.server = channel;
        try {
            helper.group.next().register(channel).sync();
        } catch (Exception e) {
            helper.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("cannot serve the listening socket " + local + ": " + e.getMessage(), e);
        }
        return helper;
    }

    /** Completes once a graceful shutdown has finished every request and stopped the event loops. */
    public CompletableFuture<Void> terminated() {
        return terminated;
    }

    /** Requests being served now. */
    public int activeRequests() {
        return active.get();
    }

    Options options() {
        return options;
    }

    void log(String line) {
        synchronized (err) {
            err.println(protocol.programName + ": " + line);
            err.flush();
        }
    }

    /** Stop accepting, let running requests finish; programs still running after the grace get SIGTERM. */
    public void shutdownGracefully() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        ChannelFuture listenerClosed = server.close();
        if (!server.eventLoop().inEventLoop()) {
            // "stops accepting" holds once this returns: a connect right after it is refused (seen racing in CI)
            listenerClosed.syncUninterruptibly();
        }
        if (active.get() == 0) {
            finish();
            return;
        }
        long grace = options.shutdownGrace().toMillis();
        try {
            server.eventLoop().schedule(() -> bridges.forEach(CgiBridge::terminateProgram), grace,
                    TimeUnit.MILLISECONDS);
            // a gateway that never closes its side must not hold the exit up for ever
            server.eventLoop().schedule(() -> bridges.forEach(CgiBridge::closeConnection),
                    grace + options.killGrace().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the last request ended between the count above and here, and finish() stopped the loops: done
        }
    }

    private void finish() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).addListener(f -> terminated.complete(null));
    }

    /** A bridge is done: its connection closed and its program reaped. Once per bridge. */
    void released(CgiBridge bridge) {
        bridges.remove(bridge);
        int now = active.decrementAndGet();
        if (stopping.get()) {
            if (now == 0) {
                finish();
            }
        } else if (now < options.maxRequests()) {
            server.config().setAutoRead(true);
        }
    }

    /** Runs on the listening channel's loop; gets each accepted connection as a message. */
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel child = (Channel) msg;
            if (stopping.get()) {
                child.unsafe().closeForcibly();
                return;
            }
            if (active.incrementAndGet() >= options.maxRequests()) {
                server.config().setAutoRead(false);
            }
            child.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            CgiBridge bridge = protocol == Protocol.SCGI
                    ? new ScgiCgiConnection(CgiHelperServer.this)
                    : new FastCgiCgiConnection(CgiHelperServer.this);
            bridges.add(bridge);
            child.pipeline().addLast(bridge);
            group.next().register(child).addListener(registered -> {
                if (!registered.isSuccess()) {
                    log("cannot register a connection: " + registered.cause());
                    child.unsafe().closeForcibly();
                    bridge.connectionLost();
                }
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // accept failures (EMFILE, ...): Netty retries on the next wake-up
            log("accept failed: " + cause.getMessage());
        }
    }
}
