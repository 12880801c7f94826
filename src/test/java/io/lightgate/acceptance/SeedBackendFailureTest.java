package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.PythonWebSocketClient;
import io.lightgate.testing.TestServer;
import io.lightgate.websocket.RawWebSocket;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's wstunnel setup when its backend fails: the spawned echo.pl killed with SIGKILL under an open
 * WebSocket (the client gets a CLOSE, and a new WebSocket works once the gateway has respawned it), and a
 * backend that is down (503 to the handshake).
 */
@ExtendWith(LeakGuard.class)
class SeedBackendFailureTest {
    @TempDir
    Path dir;

    @Test
    void killedEchoPlClosesTheWebSocketAndIsRespawned() throws Exception {
        SeedWstunnel seed = SeedWstunnel.prepare(dir, SeedWstunnel.Program.ECHO);
        try (TestServer server = seed.start()) {
            ProcessHandle first = seed.runningChild().orElseThrow(() -> new AssertionError("echo.pl not spawned"));
            try (RawWebSocket ws = RawWebSocket.open(server.port(), "/ws/")) {
                ws.sendText("before\n");
                assertThat(ws.read().text()).isEqualTo("before\n");
                first.destroyForcibly(); // SIGKILL
                first.onExit().get(10, TimeUnit.SECONDS); // exited (lightgate's reaper collects it)
                // 1001, not 1011: echo.pl was blocked reading with nothing unread, so when the kernel closes its
                // end of the unix socket at exit the tunnel reads an orderly EOF (read returns 0), exactly what a
                // clean close() gives; mod_wstunnel reports a backend EOF as 1001 (going away) and keeps 1011 for
                // a backend read/write error (see the next test).
                assertThat(ws.readClose()).isEqualTo(1001);
                ws.send(0x88, RawWebSocket.closePayload(1001, ""));
                assertThat(ws.closedByServer()).isTrue();
            }
            assertThat(echoAfterRespawn(server, "after\n")).isEqualTo("after\n");
            ProcessHandle second = seed.runningChild().orElseThrow(() -> new AssertionError("echo.pl not respawned"));
            assertThat(second.pid()).isNotEqualTo(first.pid());
        }
    }

    @Test
    void echoPlKilledWithUnreadInputIsABackendError1011() throws Exception {
        SeedWstunnel seed = SeedWstunnel.prepare(dir, SeedWstunnel.Program.ECHO);
        try (TestServer server = seed.start()) {
            ProcessHandle first = seed.runningChild().orElseThrow(() -> new AssertionError("echo.pl not spawned"));
            try (RawWebSocket ws = RawWebSocket.open(server.port(), "/ws/")) {
                ws.sendText("before\n");
                assertThat(ws.read().text()).isEqualTo("before\n");
                // Stopped, echo.pl cannot read what we send next; killed with that input still queued, the
                // kernel resets its unix socket (ECONNRESET on our read): a backend error, 1011.
                signal(first, "STOP");
                ws.sendText("unread\n");
                Thread.sleep(200); // the tunnel passes it on to the backend's socket
                first.destroyForcibly();
                first.onExit().get(10, TimeUnit.SECONDS); // exited (lightgate's reaper collects it)
                assertThat(ws.readClose()).isEqualTo(1011);
                assertThat(ws.closedByServer()).isTrue();
            }
            assertThat(echoAfterRespawn(server, "again\n")).isEqualTo("again\n");
        }
    }

    @Test
    void backendDownIs503ToTheHandshake() throws Exception {
        SeedWstunnel seed = SeedWstunnel.prepare(dir, SeedWstunnel.Program.ECHO);
        // A bin-path host whose program cannot run is a start-up error, so: the seed's host as a plain
        // "socket" host (the bin-path line dropped), with nothing listening on the socket.
        String withoutBinPath = seed.configText.lines().filter(l -> !l.contains("\"bin-path\""))
                .reduce("", (a, l) -> a + l + "\n");
        assertThat(withoutBinPath.lines().count()).isEqualTo(seed.configText.lines().count() - 1);
        try (TestServer server = TestServer.start(withoutBinPath); HttpClient http = HttpClient.newHttpClient()) {
            URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/ws/");
            Throwable t = catchThrowable(() -> http.newWebSocketBuilder()
                    .buildAsync(uri, new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS));
            assertThat(t).isInstanceOf(ExecutionException.class).cause().isInstanceOf(WebSocketHandshakeException.class);
            WebSocketHandshakeException refused = (WebSocketHandshakeException) t.getCause();
            assertThat(refused.getResponse().statusCode()).isEqualTo(503);

            if (PythonWebSocketClient.available()) {
                PythonWebSocketClient.Result r = new PythonWebSocketClient().run(uri);
                assertThat(r.ok()).isFalse();
                assertThat(r.handshakeStatus()).isEqualTo(503);
            }
        }
    }

    /** Polls (up to 10 s) until a new WebSocket echoes {@code line}: the respawn takes a moment. */
    private static String echoAfterRespawn(TestServer server, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (RawWebSocket ws = RawWebSocket.open(server.port(), "/ws/")) {
                ws.sendText(line);
                StringBuilder got = new StringBuilder();
                while (got.length() < line.length()) {
                    got.append(ws.read().text());
                }
                return got.toString();
            } catch (IOException notYet) { // 503 while the child is down, or a close before the echo
                last = notYet;
                Thread.sleep(100);
            }
        }
        throw new AssertionError("no echo through a new WebSocket within 10 s after the kill", last);
    }

    private static void signal(ProcessHandle p, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
        String state = "";
        for (int i = 0; i < 100 && !state.contains("T"); i++) {
            state = java.nio.file.Files.readAllLines(Path.of("/proc/" + p.pid() + "/stat"), StandardCharsets.UTF_8)
                    .getFirst().replaceFirst("^.*\\) ", "").substring(0, 1);
            Thread.sleep(10);
        }
        assertThat(state).as("state of %s after SIG%s", p.pid(), name).isEqualTo("T");
    }
}
