package io.lightgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lightgate.config.ConfigException;
import io.lightgate.config.ConfigParser;
import io.lightgate.log.ErrorLog;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestModule;
import io.lightgate.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Timeouts, limits, upgrade, graceful shutdown and restart, unix sockets: each with a real server. */
@ExtendWith(LeakGuard.class)
class ServerLifecycleTest {
    private static final Duration T = Duration.ofSeconds(6);

    @Test
    void keepAliveIdleClosesTheConnection() throws Exception {
        try (TestServer s = TestServer.start("server.modules = (\"mod_test\")\nserver.max-keep-alive-idle = 1\n",
                TestModule.registry());
             RawHttp c = RawHttp.connect(s.port(), T)) {
            c.send("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(false).status()).isEqualTo(200);
            long t0 = System.nanoTime();
            assertThat(c.closedByServer()).isTrue();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).isBetween(900L, 4000L);
        }
    }

    @Test
    void readIdleClosesAConnectionThatStopsMidHead() throws Exception {
        try (TestServer s = TestServer.start("server.max-read-idle = 1\n");
             RawHttp c = RawHttp.connect(s.port(), T)) {
            c.send("GET / HTTP/1.1\r\nHost");
            long t0 = System.nanoTime();
            assertThat(c.closedByServer()).isTrue();
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(900L, 4000L);
        }
    }

    @Test
    void writeIdleClosesAnUpgradedStreamWhoseClientStoppedReading() throws Exception {
        try (TestServer s = TestServer.start("server.modules = (\"mod_test\")\nserver.max-write-idle = 1\n",
                TestModule.registry());
             java.net.Socket c = new java.net.Socket()) {
            c.setReceiveBufferSize(4096);
            c.connect(new java.net.InetSocketAddress("127.0.0.1", s.port()));
            c.getOutputStream().write(("GET /upgrade HTTP/1.1\r\nHost: a\r\nUpgrade: echo\r\n"
                    + "Connection: upgrade\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            // the echo comes back to a client that never reads: the server's writes stall, it stops reading,
            // our writes stall in turn; max-write-idle must end it (the default, 360 s, would outlast the test)
            java.util.concurrent.CompletableFuture<Long> ended = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                byte[] chunk = new byte[64 * 1024];
                long sent = 0;
                try {
                    while (sent < 1L << 30) {
                        c.getOutputStream().write(chunk);
                        sent += chunk.length;
                    }
                    return -1L;
                } catch (java.io.IOException closedByServer) {
                    return sent;
                }
            });
            long sent = ended.get(15, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(sent).as("writes ended by the server closing the stalled stream").isPositive();
        }
    }

    @Test
    void writeIdleClosesAResponseTheClientStoppedReading() throws Exception {
        try (TestServer s = TestServer.start("server.max-write-idle = 1\n");
             java.net.Socket c = new java.net.Socket()) {
            long size = 64L << 20;
            try (java.io.RandomAccessFile big = new java.io.RandomAccessFile(s.docroot().resolve("big.bin").toFile(), "rw")) {
                big.setLength(size);
            }
            c.setReceiveBufferSize(4096);
            c.connect(new java.net.InetSocketAddress("127.0.0.1", s.port()));
            c.setSoTimeout(10_000);
            c.getOutputStream().write("GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Thread.sleep(4000);
            // the default (360 s) would still be sending: everything would arrive
            long received = 0;
            byte[] buffer = new byte[1 << 16];
            try {
                for (int n; (n = c.getInputStream().read(buffer)) > 0; ) {
                    received += n;
                }
            } catch (java.net.SocketException reset) {
                // closed with our unread bytes in its buffer: a reset is as good as EOF here
            }
            assertThat(received).as("bytes received before the server gave up").isLessThan(size);
        }
    }

    @Test
    void maxKeepAliveRequestsEndsTheConnection() throws Exception {
        try (TestServer s = TestServer.start("server.modules = (\"mod_test\")\nserver.max-keep-alive-requests = 2\n",
                TestModule.registry());
             RawHttp c = RawHttp.connect(s.port(), T)) {
            c.send("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(false).header("Connection")).isNull();
            c.send("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(false).header("Connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void maxConnectionsStopsAcceptingAtTheLimitAndAcceptsAgainWhenAConnectionCloses() throws Exception {
        try (TestServer s = TestServer.start("server.modules = (\"mod_test\")\nserver.max-connections = 1\n",
                TestModule.registry())) {
            RawHttp first = RawHttp.connect(s.port(), T);
            first.send("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(first.readResponse(false).status()).isEqualTo(200);
            try (RawHttp second = RawHttp.connect(s.port(), T)) {
                // the kernel completed the handshake (backlog); lightgate does not accept it while full
                second.send("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n");
                second.readTimeout(Duration.ofMillis(500));
                assertThatThrownBy(() -> second.readResponse(false)).isInstanceOf(SocketTimeoutException.class);
                first.send("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(first.readResponse(false).status()).as("the open connection is served").isEqualTo(200);
                first.close();
                second.readTimeout(T);
                assertThat(second.readResponse(false).status()).as("accepted once the first closed").isEqualTo(200);
            }
            assertThat(s.errorLines("server"))
                    .anyMatch(l -> l.contains("[note] sockets disabled, connection limit reached"))
                    .anyMatch(l -> l.contains("[note] sockets enabled again"));
        }
    }

    @Test
    void upgradeHandsTheRawConnectionToTheModule() throws Exception {
        try (TestServer s = TestServer.start("server.modules = (\"mod_test\")\n", TestModule.registry());
             RawHttp c = RawHttp.connect(s.port(), T)) {
            // bytes sent together with the upgrade request must reach the stream first
            c.send("GET /upgrade HTTP/1.1\r\nHost: a\r\nUpgrade: echo\r\nConnection: upgrade\r\n\r\nearly;");
            RawHttp.Response r = c.readResponse(true);
            assertThat(r.status()).isEqualTo(101);
            assertThat(r.header("Upgrade")).isEqualTo("echo");
            assertThat(r.header("Connection")).isEqualTo("upgrade");
            assertThat(r.header("Content-Length")).isNull();
            c.send("GET / HTTP/1.1\r\n\r\n");
            c.shutdownOutput();
            assertThat(c.readUntilClosed()).isEqualTo("early;GET / HTTP/1.1\r\n\r\n");
        }
    }

    @Test
    void upgradeWithoutConnectionHeaderIsAPlainRequest() throws Exception {
        try (TestServer s = TestServer.start("server.modules = (\"mod_test\")\n", TestModule.registry())) {
            String raw = RawHttp.exchange(s.port(), "GET /upgrade HTTP/1.1\r\nHost: a\r\nUpgrade: echo\r\n\r\n",
                    Duration.ofSeconds(2));
            assertThat(RawHttp.parse(raw).status()).isEqualTo(404);
        }
    }

    @Test
    void gracefulShutdownLetsTheRequestInFlightFinish() throws Exception {
        TestServer s = TestServer.start("server.modules = (\"mod_test\")\n", TestModule.registry());
        try (RawHttp c = RawHttp.connect(s.port(), T)) {
            c.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
            Thread.sleep(200);
            s.server().shutdownGracefully();
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("GET /slow ");
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
            CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
                try {
                    s.server().awaitTermination();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            done.get(5, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            s.close();
        }
    }

    @Test
    void gracefulShutdownForcesIdleHoldersOutAfterTheTimeout() throws Exception {
        TestServer s = TestServer.start("server.modules = (\"mod_test\")\n"
                + "server.feature-flags = (\"server.graceful-shutdown-timeout\" => 1)\n", TestModule.registry());
        try (RawHttp c = RawHttp.connect(s.port(), T)) {
            c.send("GET /upgrade HTTP/1.1\r\nHost: a\r\nUpgrade: echo\r\nConnection: upgrade\r\n\r\n");
            assertThat(c.readResponse(true).status()).isEqualTo(101);
            long t0 = System.nanoTime();
            s.server().shutdownGracefully();
            // the tunnel sees end of input (the echo half-closes), then the timeout closes it
            assertThat(c.readUntilClosed()).isEmpty();
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(4000L);
        } finally {
            s.close();
        }
    }

    @Test
    void restartKeepsTheListeningPortAndAppliesTheNewConfig() throws Exception {
        try (TestServer s = TestServer.start("server.modules = (\"mod_test\")\nserver.tag = \"before\"\n",
                TestModule.registry())) {
            int port = s.port();
            try (RawHttp old = RawHttp.connect(port, T)) {
                old.send("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(old.readResponse(false).header("Server")).isEqualTo("before");
                s.restart("server.modules = (\"mod_test\")\nserver.tag = \"after\"\n");
                assertThat(s.port()).isEqualTo(port);
                String raw = RawHttp.exchange(port, "GET /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", T);
                assertThat(RawHttp.parse(raw).header("Server")).isEqualTo("after");
                // the idle keep-alive connection of the old generation was closed by the restart
                assertThat(old.closedByServer()).isTrue();
            }
            assertThatThrownBy(() -> s.restart("server.modules = (\"mod_nonexistent\")\n"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("mod_nonexistent");
            String raw = RawHttp.exchange(port, "GET /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", T);
            assertThat(RawHttp.parse(raw).header("Server")).isEqualTo("after");
            assertThat(s.errorLines("server")).anyMatch(l -> l.contains("graceful restart failed"));
        }
    }

    @Test
    void aStopRightAfterARestartDoesNotHangOnTheAcceptLoop() throws Exception {
        // The restart queues ConnectionLimit work on the accept loop, which reads the listeners under their
        // lock; the stop closes them, completing on that loop. Holding the loop until the stop has begun puts
        // the two in the order that hung a CI run: the stop held the lock while waiting for the close.
        TestServer s = TestServer.start("server.modules = (\"mod_test\")\n", TestModule.registry());
        java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
        s.server().acceptLoop().execute(() -> {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        s.restart("server.modules = (\"mod_test\")\nserver.tag = \"after\"\n");
        Thread stopper = Thread.ofPlatform().start(() -> {
            try {
                s.close();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Thread.sleep(300); // the stop takes what it takes before waiting for the loop
        hold.countDown();
        stopper.join(T.toMillis());
        assertThat(stopper.isAlive()).as("the stop finished").isFalse();
    }

    @Test
    void unixSocketListener() throws Exception {
        Path sock = Files.createTempDirectory("lg-sock").resolve("lg.sock");
        Files.createFile(sock.resolveSibling("unrelated"));
        try (TestServer s = TestServer.start("server.modules = (\"mod_test\")\n"
                + "$SERVER[\"socket\"] == \"" + sock + "\" { }\n", TestModule.registry());
             SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            assertThat(s.server().boundAddresses()).hasSize(2);
            ch.connect(UnixDomainSocketAddress.of(sock));
            ch.write(ByteBuffer.wrap("GET /echo/unix HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (ch.read(buf) > 0) {
                got.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            RawHttp.Response r = RawHttp.parse(got.toString(StandardCharsets.ISO_8859_1));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("GET /echo/unix ");
        }
        assertThat(sock).doesNotExist();
    }

    @Test
    void symlinksAreRefusedWhenFollowSymlinkIsDisabled() throws Exception {
        try (TestServer s = TestServer.start("server.follow-symlink = \"disable\"\n"
                + "$HTTP[\"url\"] =~ \"^/open/\" { server.follow-symlink = \"enable\" }\n")) {
            Files.createDirectories(s.docroot().resolve("real"));
            Files.createSymbolicLink(s.docroot().resolve("link"), s.docroot().resolve("real"));
            Files.createDirectories(s.docroot().resolve("open"));
            Files.createSymbolicLink(s.docroot().resolve("open/link"), s.docroot().resolve("real"));
            try (RawHttp c = RawHttp.connect(s.port(), T)) {
                c.send("GET /link/ HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(c.readResponse(false).status()).isEqualTo(403);
                c.send("GET /link/missing HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(c.readResponse(false).status()).isEqualTo(403);
                c.send("GET /open/link HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(c.readResponse(false).status()).isEqualTo(301);
            }
        }
    }

    @Test
    void startupErrors() throws Exception {
        ErrorLog log = new ErrorLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Server.check(ConfigParser.parseText("t", "server.port = 0\n", Path.of(".")), log))
                .isInstanceOf(ConfigException.class).hasMessage("server.document-root is not set");
        assertThatThrownBy(() -> Server.check(ConfigParser.parseText("t",
                "server.document-root = \"/tmp\"\nserver.modules = (\"mod_foo\")\n", Path.of(".")), log))
                .isInstanceOf(ConfigException.class).hasMessageContaining("can't find module \"mod_foo\"");
        Server.check(ConfigParser.parseText("t", "server.document-root = \"/tmp\"\n", Path.of(".")), log);
    }

    @Test
    void boundAddressesResolveTheEphemeralPort() throws Exception {
        try (TestServer s = TestServer.start("")) {
            InetSocketAddress a = (InetSocketAddress) s.server().boundAddresses().getFirst();
            assertThat(a.getPort()).isPositive();
            assertThat(a.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        }
    }
}
