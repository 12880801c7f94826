package io.lightgate.tools;

import io.lightgate.os.EventLoops;
import io.lightgate.os.ExitStatus;
import io.lightgate.os.ListeningSocket;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.lightgate.os.Posix;
import io.lightgate.os.Spawn;
import io.lightgate.os.SpawnedProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The echo program as a bin-path child really runs: a separate JVM whose fd 0 is the listening socket. */
class EchoBackendTest {
    @TempDir
    Path temp;

    @BeforeAll
    static void linuxOnly() {
        assumeTrue(Epoll.isAvailable(), "spawning needs Linux (posix_spawn, pidfd, epoll)");
    }

    /** Spawned exactly as a bin-path host spawns it: os.Spawn with the listening socket as fd 0. */
    private static SpawnedProcess start(ListeningSocket socket) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return Spawn.spawn(Spawn.Request.of(java, List.of("java", "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "io.lightgate.Main", "echo-backend"),
                Map.of("PATH", "/usr/bin:/bin"), socket.fd()));
    }

    private static void stop(SpawnedProcess child) throws Exception {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EventLoops.epoll());
        try {
            child.signal(Posix.SIGTERM);
            assertThat(child.watch((IoEventLoop) group.next()).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExitStatus.class);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void echoesEveryByteOverAUnixSocketAndHalfClosesAfterThePeer() throws Exception {
        Path path = temp.resolve("echo.sock");
        ListeningSocket socket = ListeningSocket.open(UnixDomainSocketAddress.of(path), 16);
        SpawnedProcess child = start(socket);
        try {
            byte[] payload = "héllo wörld – no newline at the end".getBytes(StandardCharsets.UTF_8);
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                c.connect(UnixDomainSocketAddress.of(path));
                c.write(ByteBuffer.wrap(payload));
                c.shutdownOutput();
                assertThat(Channels.newInputStream(c).readAllBytes()).isEqualTo(payload);
            }
        } finally {
            socket.close();
            stop(child);
        }
    }

    @Test
    void servesSeveralTcpConnectionsAtOnce() throws Exception {
        ListeningSocket socket = ListeningSocket.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        SpawnedProcess child = start(socket);
        try {
            SocketAddress address = socket.localAddress();
            try (Socket a = new Socket(); Socket b = new Socket()) {
                a.connect(address, 5000);
                b.connect(address, 5000);
                a.setSoTimeout(10_000);
                b.setSoTimeout(10_000);
                b.getOutputStream().write(new byte[] {(byte) 0xff, 0, 1});
                a.getOutputStream().write("a".getBytes(StandardCharsets.US_ASCII));
                assertThat(readExactly(a.getInputStream(), 1)).containsExactly('a');
                assertThat(readExactly(b.getInputStream(), 3)).containsExactly(0xff, 0, 1);
            }
        } finally {
            socket.close();
            stop(child);
        }
    }

    @Test
    void startedByHandItSaysWhatItNeeds() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "io.lightgate.Main", "echo-backend"))
                .redirectInput(ProcessBuilder.Redirect.PIPE).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("fd 0 must be a listening socket");
    }

    private static int[] readExactly(InputStream in, int n) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (got.size() < n) {
            int b = in.read();
            assertThat(b).as("EOF after %d bytes", got.size()).isNotNegative();
            got.write(b);
        }
        return toInts(got.toByteArray());
    }

    private static int[] toInts(byte[] bytes) {
        int[] out = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i] & 0xff;
        }
        return out;
    }

}
