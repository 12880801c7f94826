package io.lightgate.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The loops lightgate builds close what is still registered on them however their shutdown is timed. The case
 * Netty 4.2 alone gets wrong: the shutdown is requested (quiet period 0) while the loop is running a task, so
 * the loop ends in that iteration without closing its registrations. A task that requests the shutdown itself
 * makes that timing certain.
 */
class EventLoopsTest {
    private static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin");

    @BeforeAll
    static void epoll() {
        assumeTrue(Epoll.isAvailable(), "the epoll transport");
    }

    /** Stops {@code group} from inside its loop's task queue and waits until it has terminated. */
    private static void stopFromATask(MultiThreadIoEventLoopGroup group) throws Exception {
        IoEventLoop loop = (IoEventLoop) group.next();
        loop.submit(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS)).get(10, TimeUnit.SECONDS);
        assertThat(group.terminationFuture().await(10, TimeUnit.SECONDS)).as("the group terminated").isTrue();
    }

    @Test
    void aWatchedChildIsKilledAndReapedWhenTheShutdownComesFromATask() throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EventLoops.epoll());
        Pipe stdin = Pipe.open();
        try {
            SpawnedProcess child = Spawn.spawn(Spawn.Request.of(Path.of("/bin/sleep"), List.of("sleep", "30"), ENV,
                    stdin.readFd()));
            Future<ExitStatus> exit = child.watch((IoEventLoop) group.next());
            assertThat(exit.await(100, TimeUnit.MILLISECONDS)).isFalse();

            stopFromATask(group);

            assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Signaled(Posix.SIGKILL, false));
            assertThat(Files.exists(Path.of("/proc/" + child.pid()))).as("pid %d reaped", child.pid()).isFalse();
            assertThat(Proc.openPidfds()).isZero();
        } finally {
            SpawnTest.closeAll(stdin.readFd(), stdin.writeFd());
        }
    }

    @Test
    void aRegisteredChannelIsClosedWhenTheShutdownComesFromATask() throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EventLoops.epoll());
        Channel listener = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter())
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        assertThat(listener.isOpen()).isTrue();

        stopFromATask(group);

        assertThat(listener.isOpen()).as("the listening socket closed with its loop").isFalse();
        assertThat(listener.closeFuture().isDone()).isTrue();
    }

    @Test
    void epollLoopsAreToldFromOthers() throws Exception {
        MultiThreadIoEventLoopGroup epoll = new MultiThreadIoEventLoopGroup(1, EventLoops.epoll());
        MultiThreadIoEventLoopGroup nio = new MultiThreadIoEventLoopGroup(1,
                EventLoops.closingAtDestroy(NioIoHandler.newFactory()));
        try {
            assertThat(EventLoops.isEpoll(epoll.next())).isTrue();
            assertThat(EventLoops.isEpoll(nio.next())).isFalse();
        } finally {
            epoll.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            nio.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
