package io.lightgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.OpenFds;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real lightgate with mod_testtunnel, real backends (TCP and unix sockets) and raw socket clients:
 * connecting, balancing, failures (refused, timeout, closed, reset), half-close, back-pressure, fds.
 */
@ExtendWith(LeakGuard.class)
class TunnelIntegrationTest {
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeEach
    void clearRecords() {
        TestTunnelModule.TUNNELS.clear();
        TestTunnelModule.BACKENDS.clear();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        cleanup.add(c);
        return c;
    }

    private TestServer server(String serverValue, String more) throws Exception {
        return closeLater(TestServer.start("server.modules = ( \"mod_testtunnel\" )\n"
                + "testtunnel.server = " + serverValue + "\n" + more, TestTunnelModule.registry()));
    }

    private static String tcpHost(String label, int port, String options) {
        return (label == null ? "" : "\"" + label + "\" => ")
                + "( \"host\" => \"127.0.0.1\", \"port\" => " + port + options + " )";
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void echoesOverTcpAndUnixSocketBackends() throws Exception {
        TestBackend tcp = closeLater(TestBackend.tcp(TestBackend.Mode.ECHO, null));
        Path dir = Files.createTempDirectory("gw");
        Path sock = dir.resolve("echo.sock");
        cleanup.add(() -> Files.deleteIfExists(dir));
        TestBackend unix = closeLater(TestBackend.unix(sock, TestBackend.Mode.ECHO, null));
        TestServer srv = server("( \"/tcp\" => ( " + tcpHost("t", tcp.port(), "") + " ), "
                + "\"/unix\" => ( \"u\" => ( \"socket\" => \"" + sock + "\" ) ) )", "");
        for (String path : List.of("/tcp/x", "/unix/y")) {
            try (TunnelClient c = TunnelClient.open(srv.port(), path)) {
                assertThat(c.status()).isEqualTo(101);
                assertThat(c.header("X-Backend")).isEqualTo(path.startsWith("/tcp") ? "t" : "u");
                c.send("hello, backend");
                assertThat(c.read(14)).isEqualTo("hello, backend");
                c.send("x".repeat(100_000));
                assertThat(c.read(100_000)).isEqualTo("x".repeat(100_000));
            }
        }
        assertThat(tcp.accepted.get()).isEqualTo(1);
        assertThat(unix.accepted.get()).isEqualTo(1);
        // a path no key matches is not claimed (falls through to static files: 404)
        try (TunnelClient c = TunnelClient.open(srv.port(), "/elsewhere")) {
            assertThat(c.status()).isEqualTo(404);
        }
        await("tunnels done", () -> TestTunnelModule.TUNNELS.stream().allMatch(Tunnel::isDone));
        await("loads back to 0", () -> TestTunnelModule.BACKENDS.stream()
                .allMatch(b -> ((ChannelBackendConnection) b).proc().host().load() == 0));
        Tunnel first = TestTunnelModule.TUNNELS.getFirst();
        assertThat(first.bytesToBackend()).isEqualTo(100_014);
        assertThat(first.bytesToClient()).isEqualTo(100_014);
    }

    @Test
    void roundRobinAlternatesAndLeastConnectionFollowsOpenTunnels() throws Exception {
        TestBackend a = closeLater(TestBackend.tcp(TestBackend.Mode.ECHO, "A"));
        TestBackend b = closeLater(TestBackend.tcp(TestBackend.Mode.ECHO, "B"));
        String hosts = "( \"/ws\" => ( " + tcpHost("a", a.port(), "") + ", " + tcpHost("b", b.port(), "") + " ) )";
        TestServer rr = server(hosts, "testtunnel.balance = \"round-robin\"");
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            try (TunnelClient c = TunnelClient.open(rr.port(), "/ws")) {
                order.append(c.read(1));
            }
        }
        assertThat(order).hasToString("ABAB");

        TestServer fair = server(hosts, "");
        order.setLength(0);
        List<TunnelClient> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TunnelClient c = closeLater(TunnelClient.open(fair.port(), "/ws"));
            order.append(c.read(1)); // held open: it counts as load
            open.add(c);
        }
        assertThat(order).hasToString("ABA");
        open.get(1).close(); // B's only tunnel ends
        await("B's load back to 0", () -> TestTunnelModule.BACKENDS.stream()
                .filter(x -> "b".equals(x.host().label())).allMatch(x -> ((ChannelBackendConnection) x).proc().host().load() == 0));
        try (TunnelClient c = TunnelClient.open(fair.port(), "/ws")) {
            assertThat(c.read(1)).isEqualTo("B");
        }
    }

    @Test
    void refusedConnectDisablesTheHostAnswers503AndRecoversAfterDisableTime() throws Exception {
        int port = freePort();
        TestServer srv = server("( \"/ws\" => ( " + tcpHost(null, port, "") + " ) )", "");
        try (TunnelClient c = TunnelClient.open(srv.port(), "/ws")) {
            assertThat(c.status()).isEqualTo(503);
        }
        assertThat(srv.errorLines("mod_testtunnel")).anyMatch(l -> l.contains("connect to 127.0.0.1:" + port
                + " failed: ") && l.endsWith("; disabled for 1 s"));
        // disabled: 503 at once, before any connect; "all handlers down" is logged once
        try (TunnelClient c = TunnelClient.open(srv.port(), "/ws")) {
            assertThat(c.status()).isEqualTo(503);
        }
        assertThat(srv.errorLines("mod_testtunnel")).filteredOn(l -> l.contains("failed")).hasSize(1);
        assertThat(srv.errorLines("mod_testtunnel")).filteredOn(l -> l.endsWith("all handlers for \"/ws\" are down"))
                .hasSize(1);

        TestBackend back = closeLater(TestBackend.tcpOn(port, TestBackend.Mode.ECHO, "up"));
        Thread.sleep(1100);
        try (TunnelClient c = TunnelClient.open(srv.port(), "/ws")) {
            assertThat(c.status()).isEqualTo(101);
            assertThat(c.read(2)).isEqualTo("up");
        }
        assertThat(back.accepted.get()).isEqualTo(1);
    }

    @Test
    void aRefusedHostIsRetriedOnAnotherHost() throws Exception {
        int dead = freePort();
        TestBackend good = closeLater(TestBackend.tcp(TestBackend.Mode.ECHO, "G"));
        TestServer srv = server("( \"/ws\" => ( " + tcpHost("dead", dead, ", \"disable-time\" => 30") + ", "
                + tcpHost("good", good.port(), "") + " ) )", "");
        for (int i = 0; i < 3; i++) {
            try (TunnelClient c = TunnelClient.open(srv.port(), "/ws")) {
                assertThat(c.status()).isEqualTo(101);
                assertThat(c.read(1)).isEqualTo("G");
            }
        }
        assertThat(srv.errorLines("mod_testtunnel")).filteredOn(l -> l.contains("127.0.0.1:" + dead))
                .singleElement().asString().endsWith("disabled for 30 s");
    }

    @Test
    void unixSocketThatDoesNotExistIs503() throws Exception {
        TestServer srv = server("( \"/ws\" => ( ( \"socket\" => \"/nonexistent/gw-test.sock\" ) ) )", "");
        try (TunnelClient c = TunnelClient.open(srv.port(), "/ws")) {
            assertThat(c.status()).isEqualTo(503);
        }
        assertThat(srv.errorLines("mod_testtunnel")).anyMatch(l -> l.contains("unix:/nonexistent/gw-test.sock failed"));
    }

    @Test
    void connectTimeoutDisablesAndAnswers503() throws Exception {
        // a listening socket whose accept queue is full: further SYNs are dropped, so connects hang
        ServerSocket full = closeLater(new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
        List<Socket> fillers = new ArrayList<>();
        cleanup.add(() -> { for (Socket s : fillers) { s.close(); } });
        boolean hangs = false;
        for (int i = 0; i < 8 && !hangs; i++) {
            Socket s = new Socket();
            fillers.add(s);
            try {
                s.connect(new InetSocketAddress("127.0.0.1", full.getLocalPort()), 300);
            } catch (SocketTimeoutException e) {
                hangs = true;
            }
        }
        Assumptions.assumeTrue(hangs, "this kernel does not let a connect hang on a full backlog");
        TestServer srv = server("( \"/ws\" => ( " + tcpHost(null, full.getLocalPort(), ", \"connect-timeout\" => 1") + " ) )", "");
        long start = System.nanoTime();
        try (TunnelClient c = TunnelClient.open(srv.port(), "/ws")) {
            assertThat(c.status()).isEqualTo(503);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(ms).as("one connect-timeout, then the disabled host is not tried again").isBetween(900L, 5000L);
        assertThat(srv.errorLines("mod_testtunnel")).anyMatch(l -> l.contains("failed: connect-timeout (1 s)"));
    }

    @Test
    void aBackendThatClosesEndsTheClientConnection() throws Exception {
        TestBackend closer = closeLater(TestBackend.tcp(TestBackend.Mode.CLOSE, null));
        TestServer srv = server("( \"/ws\" => ( " + tcpHost(null, closer.port(), "") + " ) )", "");
        try (TunnelClient c = TunnelClient.open(srv.port(), "/ws")) {
            assertThat(c.status()).isEqualTo(101);
            assertThat(c.atEof()).isTrue();
        }
    }

    @Test
    void aBackendKilledMidStreamEndsTheClientConnection() throws Exception {
        TestBackend echo = closeLater(TestBackend.tcp(TestBackend.Mode.ECHO, null));
        TestServer srv = server("( \"/ws\" => ( " + tcpHost(null, echo.port(), "") + " ) )", "");
        try (TunnelClient c = TunnelClient.open(srv.port(), "/ws")) {
            c.send("ping");
            assertThat(c.read(4)).isEqualTo("ping");
            echo.killConnections();
            assertThat(c.atEof()).isTrue();
        }
        await("tunnel done", () -> TestTunnelModule.TUNNELS.getFirst().isDone());
    }

    @Test
    void clientHalfCloseIsPropagatedWithTcpFinPropagate() throws Exception {
        TestBackend echo = closeLater(TestBackend.tcp(TestBackend.Mode.ECHO, null));
        TestServer srv = server("( \"/ws\" => ( " + tcpHost(null, echo.port(), ", \"tcp-fin-propagate\" => \"enable\"") + " ) )", "");
        try (TunnelClient c = TunnelClient.open(srv.port(), "/ws")) {
            c.send("last words");
            c.socket.shutdownOutput();
            // the backend sees EOF, still answers, then half-closes too
            assertThat(c.read(10)).isEqualTo("last words");
            assertThat(c.atEof()).isTrue();
        }
        assertThat(echo.eofs.get()).isEqualTo(1);
        await("tunnel done", () -> TestTunnelModule.TUNNELS.getFirst().isDone());
    }

    @Test
    void clientHalfCloseWithoutTcpFinPropagateClosesBoth() throws Exception {
        TestBackend hold = closeLater(TestBackend.tcp(TestBackend.Mode.HOLD, null));
        hold.release();
        TestServer srv = server("( \"/ws\" => ( " + tcpHost(null, hold.port(), "") + " ) )", "");
        try (TunnelClient c = TunnelClient.open(srv.port(), "/ws")) {
            c.send("abc");
            c.socket.shutdownOutput();
            assertThat(c.atEof()).isTrue();
        }
        await("backend connection closed", () -> hold.eofs.get() == 1);
        assertThat(hold.bytesRead.get()).isEqualTo(3);
    }

    @Test
    void backendHalfCloseReachesTheClientWhichMayStillSend() throws Exception {
        TestBackend half = closeLater(TestBackend.tcp(TestBackend.Mode.HALF_CLOSE, "bye"));
        TestServer srv = server("( \"/ws\" => ( " + tcpHost(null, half.port(), "") + " ) )", "");
        try (TunnelClient c = TunnelClient.open(srv.port(), "/ws")) {
            assertThat(c.read(3)).isEqualTo("bye");
            assertThat(c.atEof()).isTrue();
            c.send("still here");
            await("backend read the late bytes", () -> half.bytesRead.get() == 10);
        }
        await("backend saw the end", () -> half.eofs.get() == 1);
        await("tunnel done", () -> TestTunnelModule.TUNNELS.getFirst().isDone());
    }

    @Test
    void aBackendThatDoesNotReadStopsTheClientSideWithBoundedMemoryAndLosesNothing() throws Exception {
        TestBackend hold = closeLater(TestBackend.tcp(TestBackend.Mode.HOLD, null));
        TestServer srv = server("( \"/ws\" => ( " + tcpHost(null, hold.port(), "") + " ) )", "");
        long total = 64L << 20;
        try (TunnelClient c = TunnelClient.open(srv.port(), "/ws")) {
            AtomicLong sent = new AtomicLong();
            Thread writer = Thread.ofVirtual().start(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    OutputStream out = c.out;
                    while (sent.get() < total) {
                        out.write(chunk);
                        sent.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            awaitStalled(sent);
            assertThat(sent.get()).as("the client is blocked: lightgate stopped reading it").isLessThan(total);
            ChannelBackendConnection backend = (ChannelBackendConnection) TestTunnelModule.BACKENDS.getFirst();
            long pending = backend.eventLoop().submit(
                    () -> backend.channel().unsafe().outboundBuffer().totalPendingWriteBytes()).get();
            assertThat(pending).as("bytes queued in lightgate toward the backend").isLessThanOrEqualTo(256 * 1024);
            hold.release();
            writer.join(Duration.ofSeconds(30));
            assertThat(sent.get()).isEqualTo(total);
            await("every byte reached the backend", () -> hold.bytesRead.get() == total);
        }
    }

    @Test
    void aClientThatDoesNotReadStopsTheBackendSideAndLosesNothing() throws Exception {
        TestBackend flood = closeLater(TestBackend.tcp(TestBackend.Mode.FLOOD, null));
        flood.floodBytes = 64L << 20;
        TestServer srv = server("( \"/ws\" => ( " + tcpHost(null, flood.port(), "") + " ) )", "");
        try (TunnelClient c = TunnelClient.open(srv.port(), "/ws")) {
            awaitStalled(flood.bytesWritten);
            assertThat(flood.bytesWritten.get()).as("the backend is blocked").isLessThan(flood.floodBytes);
            ChannelBackendConnection backend = (ChannelBackendConnection) TestTunnelModule.BACKENDS.getFirst();
            boolean reading = backend.eventLoop().submit(() -> backend.channel().config().isAutoRead()).get();
            assertThat(reading).as("lightgate stopped reading the backend").isFalse();
            Tunnel tunnel = TestTunnelModule.TUNNELS.getFirst();
            long passed = tunnel.bytesToClient();
            Thread.sleep(300);
            assertThat(tunnel.bytesToClient()).as("nothing more is taken from the backend").isEqualTo(passed);

            InputStream in = c.in;
            byte[] buf = new byte[64 * 1024];
            long got = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] != TestBackend.pattern(got + i)) {
                        throw new AssertionError("byte " + (got + i) + " differs");
                    }
                }
                got += n;
            }
            assertThat(got).isEqualTo(flood.floodBytes);
        }
    }

    @Test
    void readTimeoutEndsASilentBackend() throws Exception {
        TestBackend hold = closeLater(TestBackend.tcp(TestBackend.Mode.HOLD, null));
        TestServer srv = server("( \"/ws\" => ( " + tcpHost(null, hold.port(), ", \"read-timeout\" => 1") + " ) )", "");
        try (TunnelClient c = TunnelClient.open(srv.port(), "/ws")) {
            long start = System.nanoTime();
            c.send("anyone?");
            assertThat(c.atEof()).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(900L, 4000L);
        }
        await("tunnel done", () -> TestTunnelModule.TUNNELS.getFirst().isDone());
    }

    @Test
    void writeTimeoutEndsABackendThatStopsReading() throws Exception {
        TestBackend hold = closeLater(TestBackend.tcp(TestBackend.Mode.HOLD, null));
        TestServer srv = server("( \"/ws\" => ( " + tcpHost(null, hold.port(), ", \"write-timeout\" => 1") + " ) )", "");
        try (TunnelClient c = TunnelClient.open(srv.port(), "/ws")) {
            Thread writer = Thread.ofVirtual().start(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    for (int i = 0; i < 1024; i++) {
                        c.out.write(chunk);
                    }
                } catch (IOException expected) {
                    // the connection ends while we write
                }
            });
            assertThat(c.atEof()).isTrue();
            writer.join(Duration.ofSeconds(10));
            assertThat(writer.isAlive()).isFalse();
        }
        await("tunnel done", () -> TestTunnelModule.TUNNELS.getFirst().isDone());
    }

    /** Waits until {@code counter} stops growing for half a second. */
    private static void awaitStalled(AtomicLong counter) throws InterruptedException {
        long last = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            long now = counter.get();
            if (now == last && now > 0) {
                return;
            }
            last = now;
        }
        throw new AssertionError("never stalled: " + counter.get());
    }

    @Test
    void noFileDescriptorLeaks() throws Exception {
        TestBackend echo = closeLater(TestBackend.tcp(TestBackend.Mode.ECHO, null));
        TestBackend closer = closeLater(TestBackend.tcp(TestBackend.Mode.CLOSE, null));
        int dead = freePort();
        TestServer srv = server("( \"/echo\" => ( " + tcpHost(null, echo.port(), "") + " ), "
                + "\"/close\" => ( " + tcpHost(null, closer.port(), "") + " ), "
                + "\"/dead\" => ( " + tcpHost(null, dead, ", \"disable-time\" => 0") + " ) )", "");
        Runnable round = () -> {
            try {
                for (int i = 0; i < 10; i++) {
                    try (TunnelClient c = TunnelClient.open(srv.port(), "/echo")) {
                        c.send("x");
                        c.read(1);
                    }
                    try (TunnelClient c = TunnelClient.open(srv.port(), "/close")) {
                        c.atEof();
                    }
                    try (TunnelClient c = TunnelClient.open(srv.port(), "/dead")) {
                        assertThat(c.status()).isEqualTo(503);
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        round.run(); // warm up: event loops and lazily opened files
        await("warm-up tunnels done", () -> TestTunnelModule.TUNNELS.stream().allMatch(Tunnel::isDone));
        await("backends closed", () -> echo.openConnections() == 0 && closer.openConnections() == 0);
        long before = OpenFds.count();
        round.run();
        await("tunnels done", () -> TestTunnelModule.TUNNELS.stream().allMatch(Tunnel::isDone));
        await("backends closed", () -> echo.openConnections() == 0 && closer.openConnections() == 0);
        await("fds back to " + before, () -> {
            try {
                return OpenFds.count() <= before;
            } catch (IOException e) {
                return false;
            }
        });
        assertThat(TestTunnelModule.TUNNELS).hasSize(40);
    }
}
