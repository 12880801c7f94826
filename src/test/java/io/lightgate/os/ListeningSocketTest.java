package io.lightgate.os;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Listening sockets handed to the seed's echo.pl as fd 0, reached over unix and TCP by real clients. */
class ListeningSocketTest {
    private static final Path ECHO_PL = Path.of("/work/shared/seed/samples/echo.pl");
    private static final int BACKLOG = 16;

    private static MultiThreadIoEventLoopGroup group;
    private static IoEventLoop loop;

    @TempDir
    Path temp;

    @BeforeAll
    static void startLoop() {
        assumeTrue(Proc.isLinux() && Epoll.isAvailable(), "Linux with the epoll transport only");
        group = new MultiThreadIoEventLoopGroup(1, EventLoops.epoll());
        loop = group.next();
    }

    @AfterAll
    static void stopLoop() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static SpawnedProcess spawnEcho(ListeningSocket socket) throws IOException {
        assumeTrue(Files.isExecutable(ECHO_PL) && Files.isExecutable(Path.of("/usr/bin/perl")), "seed echo.pl");
        try {
            return Spawn.spawn(Spawn.Request.of(ECHO_PL, List.of(ECHO_PL.toString()),
                    SpawnTest.env("PATH", "/usr/bin:/bin"), socket.fd()));
        } finally {
            socket.close(); // the child has its own copy as fd 0
        }
    }

    private static void stop(SpawnedProcess echo) throws Exception {
        var exit = echo.watch(loop);
        echo.signalGroup(Posix.SIGTERM);
        assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Signaled(Posix.SIGTERM, false));
    }

    @Test
    void echoPlServesAUnixSocketGivenAsFdZeroToANettyEpollClient() throws Exception {
        Path path = temp.resolve("echo.sock");
        SpawnedProcess echo = spawnEcho(ListeningSocket.open(UnixDomainSocketAddress.of(path), BACKLOG));
        try {
            assertThat(Proc.fdTarget(String.valueOf(echo.pid()), 0)).startsWith("socket:");
            // echo.pl accepts one connection at a time: two in a row prove it keeps listening on fd 0.
            assertThat(echoOverEpoll(path, "hello over unix\n")).isEqualTo("hello over unix\n");
            assertThat(echoOverEpoll(path, "second connection\n")).isEqualTo("second connection\n");
        } finally {
            stop(echo);
            Files.deleteIfExists(path);
        }
    }

    /** Epoll needs Netty's DomainSocketAddress (the JDK's UnixDomainSocketAddress is refused by it). */
    private static String echoOverEpoll(Path path, String line) throws Exception {
        Promise<String> answer = loop.newPromise();
        StringBuilder received = new StringBuilder();
        Channel channel = new Bootstrap().group(group).channel(EpollDomainSocketChannel.class)
                .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        received.append(msg.toString(StandardCharsets.UTF_8));
                        if (received.indexOf("\n") >= 0) {
                            answer.trySuccess(received.toString());
                        }
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        answer.tryFailure(cause);
                    }
                })
                .connect(new DomainSocketAddress(path.toFile())).sync().channel();
        try {
            channel.writeAndFlush(Unpooled.copiedBuffer(line, StandardCharsets.UTF_8)).sync();
            return answer.get(10, TimeUnit.SECONDS);
        } finally {
            channel.close().sync();
        }
    }

    @Test
    void echoPlServesTcpOnAPortTheKernelChoseAndTheAddressCanBeReboundAtOnce() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        ListeningSocket socket = ListeningSocket.open(new InetSocketAddress(loopback, 0), BACKLOG);
        InetSocketAddress bound = (InetSocketAddress) socket.localAddress();
        assertThat(bound.getAddress()).isEqualTo(loopback);
        assertThat(bound.getPort()).isPositive();
        SpawnedProcess echo = spawnEcho(socket);
        try (Socket client = new Socket()) {
            client.setSoTimeout(10_000);
            client.connect(bound, 10_000);
            assertThat(echoLine(client, "hello over tcp")).isEqualTo("hello over tcp");
            // Killing the backend closes its end first, which leaves that end of the connection in TIME_WAIT.
            stop(echo);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        // Without SO_REUSEADDR the port is still taken by the TIME_WAIT connection...
        try (ServerSocket plain = new ServerSocket()) {
            plain.setReuseAddress(false);
            assertThatThrownBy(() -> plain.bind(bound)).isInstanceOf(BindException.class);
        }
        // ...with it (what a respawn needs), the same address binds at once.
        try (ListeningSocket again = ListeningSocket.open(bound, BACKLOG)) {
            assertThat(again.localAddress()).isEqualTo(bound);
        }
    }

    @Test
    void ipv6LoopbackListensAndAccepts() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        assumeTrue(NetworkInterface.getByInetAddress(v6) != null, "::1 configured");
        try (ListeningSocket socket = ListeningSocket.open(new InetSocketAddress(v6, 0), BACKLOG)) {
            InetSocketAddress bound = (InetSocketAddress) socket.localAddress();
            assertThat(bound.getAddress()).isInstanceOf(Inet6Address.class).isEqualTo(v6);
            assertThat(Sockets.probe(bound)).isEqualTo(Sockets.Probe.LISTENING);
        }
    }

    private static String echoLine(Socket client, String line) throws IOException {
        OutputStream out = client.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    @Test
    void staleUnixSocketFileIsReplaced() throws Exception {
        Path path = temp.resolve("stale.sock");
        ListeningSocket.open(UnixDomainSocketAddress.of(path), BACKLOG).close(); // closing leaves the file behind
        assertThat(path).exists();
        assertThat(Sockets.probe(UnixDomainSocketAddress.of(path))).isEqualTo(Sockets.Probe.REFUSED);

        try (ListeningSocket fresh = ListeningSocket.open(UnixDomainSocketAddress.of(path), BACKLOG)) {
            assertThat(Sockets.probe(UnixDomainSocketAddress.of(path))).isEqualTo(Sockets.Probe.LISTENING);
            assertThat(fresh.localAddress()).isEqualTo(UnixDomainSocketAddress.of(path));
        }
    }

    @Test
    void liveUnixSocketIsLeftAloneAndReported() throws Exception {
        Path path = temp.resolve("live.sock");
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(path));
            assertThatThrownBy(() -> ListeningSocket.open(UnixDomainSocketAddress.of(path), BACKLOG))
                    .isInstanceOfSatisfying(ErrnoException.class,
                            e -> assertThat(e.errno()).isEqualTo(Posix.EADDRINUSE))
                    .hasMessageContaining(path.toString())
                    .hasMessageContaining("a process is listening");
            // The other listener still works.
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path));
                 SocketChannel accepted = live.accept()) {
                assertThat(client.isConnected()).isTrue();
                assertThat(accepted).isNotNull();
            }
        }
    }

    @Test
    void aFileThatIsNotASocketIsNeverDeleted() throws Exception {
        Path path = Files.writeString(temp.resolve("precious.txt"), "keep me");
        assertThat(Sockets.probe(UnixDomainSocketAddress.of(path))).isEqualTo(Sockets.Probe.REFUSED);
        assertThatThrownBy(() -> ListeningSocket.open(UnixDomainSocketAddress.of(path), BACKLOG))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Posix.EADDRINUSE))
                .hasMessageContaining("bind(" + path + "): EADDRINUSE");
        assertThat(path).hasContent("keep me");
    }

    @Test
    void missingPathProbesAbsent() throws Exception {
        assertThat(Sockets.probe(UnixDomainSocketAddress.of(temp.resolve("nothing.sock"))))
                .isEqualTo(Sockets.Probe.ABSENT);
        assertThat(Sockets.removeStaleUnixSocket(temp.resolve("nothing.sock"))).isFalse();
    }

    @Test
    void unixPathLongerThanSunPathIsRefusedClearly() {
        Path path = temp.resolve("x".repeat(120) + ".sock");
        assertThatThrownBy(() -> ListeningSocket.open(UnixDomainSocketAddress.of(path), BACKLOG))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unix socket path too long")
                .hasMessageContaining("at most 107");
        assertThat(path).doesNotExist();
    }

    @Test
    void tcpPortInUseIsReportedWithErrnoNameAndText() throws Exception {
        try (ListeningSocket first = ListeningSocket.open(new InetSocketAddress("127.0.0.1", 0), BACKLOG)) {
            InetSocketAddress bound = (InetSocketAddress) first.localAddress();
            assertThatThrownBy(() -> ListeningSocket.open(bound, BACKLOG))
                    .isInstanceOfSatisfying(ErrnoException.class,
                            e -> assertThat(e.errno()).isEqualTo(Posix.EADDRINUSE))
                    .hasMessage("bind(127.0.0.1:" + bound.getPort() + "): EADDRINUSE (Address already in use)");
            assertThat(Sockets.probe(bound)).isEqualTo(Sockets.Probe.LISTENING);
        }
    }
}
