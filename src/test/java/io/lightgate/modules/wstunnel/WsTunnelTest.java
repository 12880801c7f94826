package io.lightgate.modules.wstunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lightgate.config.ConfigException;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestServer;
import io.lightgate.websocket.Opcode;
import io.lightgate.websocket.RawWebSocket;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** mod_wstunnel end to end: real server, real backends (TCP and unix socket), raw and JDK clients. */
@ExtendWith(LeakGuard.class)
class WsTunnelTest {
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    @TempDir
    Path tmp;

    private static String config(int port, String extra) {
        return "server.modules = (\"mod_wstunnel\")\n"
                + "wstunnel.server = ( \"/ws\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => " + port + " ) ) )\n"
                + extra;
    }

    private static String handshake(String path, String headers) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
                + headers + "\r\n";
    }

    private static RawHttp.Response ask(TestServer s, String request) throws IOException {
        try (RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
            c.send(request);
            return c.readResponse(false);
        }
    }

    // ---- handshake status codes ----

    @Test
    void handshakeChecksInLighttpdsOrder() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.tcp(ScriptedBackend.ECHO);
             TestServer s = TestServer.start(config(backend.port(), ""))) {
            String version = "Sec-WebSocket-Version: 13\r\n";
            String key = "Sec-WebSocket-Key: " + KEY + "\r\n";

            RawHttp.Response ok = ask(s, handshake("/ws", version + key));
            assertThat(ok.status()).isEqualTo(101);
            assertThat(ok.header("Upgrade")).isEqualTo("websocket");
            assertThat(ok.header("Connection")).isEqualTo("upgrade");
            assertThat(ok.header("Sec-WebSocket-Accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            assertThat(ok.header("Sec-WebSocket-Protocol")).isNull();
            waitFor(() -> backend.connections.get() == 1);

            RawHttp.Response v12 = ask(s, handshake("/ws", "Sec-WebSocket-Version: 12\r\n" + key));
            assertThat(v12.status()).isEqualTo(426);
            assertThat(v12.header("Sec-WebSocket-Version")).isEqualTo("13");
            RawHttp.Response noVersion = ask(s, handshake("/ws", key));
            assertThat(noVersion.status()).isEqualTo(426);

            assertThat(ask(s, handshake("/ws", version)).status()).as("no key").isEqualTo(400);
            assertThat(ask(s, handshake("/ws", version + "Sec-WebSocket-Key: c2hvcnQ=\r\n")).status())
                    .as("key of 5 bytes").isEqualTo(400);
            assertThat(ask(s, handshake("/ws", version + "Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!==\r\n")).status())
                    .as("not base64").isEqualTo(400);
            Thread.sleep(100);
            assertThat(backend.connections.get()).as("no backend connection for refused handshakes").isEqualTo(1);

            // Not claimed: falls through to the static handler (404 in an empty docroot).
            String plain = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: close\r\n" + version + key + "\r\n";
            assertThat(ask(s, plain).status()).as("no upgrade token in Connection").isEqualTo(404);
            String post = "POST /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
                    + "Content-Length: 0\r\n" + version + key + "\r\n";
            assertThat(ask(s, post).status()).as("not GET").isEqualTo(404);
            assertThat(ask(s, handshake("/other", version + key)).status()).as("no wstunnel.server key").isEqualTo(404);
            assertThat(backend.connections.get()).isEqualTo(1);
        }
    }

    @Test
    void backendDownIs503BeforeAnyHeaderCheck() throws Exception {
        int deadPort;
        try (ScriptedBackend gone = ScriptedBackend.tcp(ScriptedBackend.ECHO)) {
            deadPort = gone.port();
        }
        try (TestServer s = TestServer.start(config(deadPort, ""))) {
            String good = "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + KEY + "\r\n";
            assertThat(ask(s, handshake("/ws", good)).status()).as("connect refused").isEqualTo(503);
            // The host is now disabled: 503 comes first, even for a bad version.
            assertThat(ask(s, handshake("/ws", "Sec-WebSocket-Version: 8\r\n")).status()).isEqualTo(503);
        }
    }

    @Test
    void originsExactSuffixAndSchemeQualifiedAndInsideConditionals() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.tcp(ScriptedBackend.ECHO);
             TestServer s = TestServer.start(config(backend.port(),
                     "$HTTP[\"url\"] =~ \"^/ws/strict\" { wstunnel.origins = ( \"example.com\", \"http://exact.org\" ) }\n"))) {
            String good = "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + KEY + "\r\n";
            assertThat(ask(s, handshake("/ws/open", good)).status()).as("no list here").isEqualTo(101);
            assertThat(ask(s, handshake("/ws/strict", good)).status()).as("missing Origin").isEqualTo(400);
            assertThat(ask(s, handshake("/ws/strict", good + "Origin: \r\n")).status()).as("empty Origin").isEqualTo(400);
            for (String allowed : new String[] {"http://www.example.com", "https://a.b.example.com", "example.com",
                    "http://exact.org"}) {
                assertThat(ask(s, handshake("/ws/strict", good + "Origin: " + allowed + "\r\n")).status())
                        .as(allowed).isEqualTo(101);
            }
            for (String refused : new String[] {"http://example.com", "http://badexample.com", "https://exact.org",
                    "http://www.exact.org", "http://exact.org.evil", "http://EXAMPLE.com"}) {
                assertThat(ask(s, handshake("/ws/strict", good + "Origin: " + refused + "\r\n")).status())
                        .as(refused).isEqualTo(403);
            }
        }
    }

    @Test
    void emptyOriginEntryIsAStartUpError() {
        assertThatThrownBy(() -> TestServer.start(config(1, "$HTTP[\"url\"] =~ \"^/a\" { wstunnel.origins = ( \"x\", \"\" ) }\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("wstunnel.origins");
    }

    // ---- frame type and subprotocols ----

    @Test
    void frameTypeAndSubprotocols() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.tcp(ScriptedBackend.ECHO);
             TestServer s = TestServer.start(config(backend.port(),
                     "$HTTP[\"url\"] =~ \"^/ws/bin\" { wstunnel.frame-type = \"BINARY\" }\n"))) {
            try (RawWebSocket ws = RawWebSocket.open(s.port(), "/ws/text")) {
                ws.sendText("t");
                assertThat(ws.read().opcode()).isEqualTo(Opcode.TEXT);
            }
            try (RawWebSocket ws = RawWebSocket.open(s.port(), "/ws/bin")) {
                assertThat(ws.responseHead).doesNotContainIgnoringCase("Sec-WebSocket-Protocol");
                ws.sendText("b");
                assertThat(ws.read().opcode()).isEqualTo(Opcode.BINARY);
            }
            try (RawWebSocket ws = RawWebSocket.open(s.port(), "/ws/text", "Sec-WebSocket-Protocol: chat, binary\r\n")) {
                assertThat(ws.responseHead).contains("Sec-WebSocket-Protocol: binary\r\n");
                ws.sendText("b");
                assertThat(ws.read().opcode()).isEqualTo(Opcode.BINARY);
            }
            try (RawWebSocket ws = RawWebSocket.open(s.port(), "/ws/text", "Sec-WebSocket-Protocol: base64\r\n")) {
                assertThat(ws.responseHead).contains("Sec-WebSocket-Protocol: base64\r\n");
                ws.sendText("t");
                assertThat(ws.read().opcode()).isEqualTo(Opcode.TEXT);
            }
            try (RawWebSocket ws = RawWebSocket.open(s.port(), "/ws/bin", "Sec-WebSocket-Protocol: chat\r\n")) {
                assertThat(ws.responseHead).as("never one the client did not offer")
                        .doesNotContainIgnoringCase("Sec-WebSocket-Protocol");
            }
        }
    }

    @Test
    void pingIntervalAndReadIdle() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.tcp(ScriptedBackend.ECHO);
             TestServer s = TestServer.start(config(backend.port(),
                     "wstunnel.ping-interval = 1\nserver.max-read-idle = 3\n"));
             RawWebSocket ws = RawWebSocket.open(s.port(), "/ws")) {
            RawWebSocket.Frame ping = ws.read();
            assertThat(ping.opcode()).isEqualTo(Opcode.PING);
            assertThat(ping.text()).isEqualTo("ping");
            // Not answering: the PINGs keep coming, and 2 s after the last read the idle CLOSE 1001 arrives.
            int pings = 1;
            RawWebSocket.Frame f;
            while ((f = ws.read()).opcode() == Opcode.PING) {
                pings++;
            }
            assertThat(f.opcode()).isEqualTo(Opcode.CLOSE);
            assertThat(f.closeCode()).isEqualTo(1001);
            assertThat(pings).isBetween(1, 3);
            assertThat(ws.closedByServer()).isTrue();
        }
    }

    // ---- backend ends ----

    @Test
    void backendCloseIs1001AndBackendResetIs1011() throws Exception {
        ScriptedBackend.Script closeAfterOne = c -> {
            byte[] b = new byte[100];
            int n = c.in().read(b);
            c.out().write(b, 0, n);
        };
        ScriptedBackend.Script resetAfterOne = c -> {
            c.in().read(new byte[100]);
            c.reset();
        };
        try (ScriptedBackend closing = ScriptedBackend.tcp(closeAfterOne);
             ScriptedBackend resetting = ScriptedBackend.tcp(resetAfterOne);
             TestServer s = TestServer.start("server.modules = (\"mod_wstunnel\")\nwstunnel.server = ( "
                     + "\"/close\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => " + closing.port() + " ) ), "
                     + "\"/reset\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => " + resetting.port() + " ) ) )\n")) {
            try (RawWebSocket ws = RawWebSocket.open(s.port(), "/close")) {
                ws.sendText("once");
                assertThat(ws.read().text()).isEqualTo("once");
                assertThat(ws.readClose()).isEqualTo(1001);
                ws.send(0x88, RawWebSocket.closePayload(1001, ""));
                assertThat(ws.closedByServer()).isTrue();
            }
            try (RawWebSocket ws = RawWebSocket.open(s.port(), "/reset")) {
                ws.sendText("boom");
                assertThat(ws.readClose()).isEqualTo(1011);
                assertThat(ws.closedByServer()).isTrue();
            }
        }
    }

    @Test
    void clientCloseIsEchoedAndTheBackendConnectionEnds() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.tcp(ScriptedBackend.ECHO);
             TestServer s = TestServer.start(config(backend.port(), ""));
             RawWebSocket ws = RawWebSocket.open(s.port(), "/ws")) {
            ws.sendText("hi");
            assertThat(ws.read().text()).isEqualTo("hi");
            ws.send(0x88, RawWebSocket.closePayload(1000, "done"));
            assertThat(ws.readClose()).isEqualTo(1000);
            assertThat(ws.closedByServer()).isTrue();
            waitFor(() -> backend.events.contains("done"));
        }
    }

    // ---- text mode ----

    @Test
    void utf8SequencesSplitAcrossBackendWritesAreHeldAndInvalidBytesGoOutAsBinary() throws Exception {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        ScriptedBackend.Script script = c -> {
            c.in().read(new byte[100]);
            for (byte b : euro) {
                c.out().write(b);
                c.out().flush();
                Thread.sleep(50); // separate reads on the server side
            }
            c.in().read(new byte[100]);
            c.out().write(new byte[] {'x', (byte) 0xFF});
            c.in().read(new byte[100]);
            c.out().write(new byte[] {(byte) 0xFE});
            c.in().read(new byte[100]);
        };
        try (ScriptedBackend backend = ScriptedBackend.tcp(script);
             TestServer s = TestServer.start(config(backend.port(), "wstunnel.debug = 4\n"))) {
            try (RawWebSocket ws = RawWebSocket.open(s.port(), "/ws")) {
                ws.sendText("go");
                RawWebSocket.Frame f = ws.read();
                assertThat(f.opcode()).isEqualTo(Opcode.TEXT);
                assertThat(f.text()).isEqualTo("€");
                ws.sendText("next");
                RawWebSocket.Frame bad = ws.read();
                assertThat(bad.opcode()).isEqualTo(Opcode.BINARY);
                assertThat(bad.payload()).containsExactly('x', 0xFF);
                ws.sendText("again");
                assertThat(ws.read().opcode()).isEqualTo(Opcode.BINARY);
                ws.sendText("end");
            }
            waitFor(() -> !s.errorLines("mod_wstunnel").isEmpty());
            Thread.sleep(100);
            assertThat(s.errorLines("mod_wstunnel")).as("logged once per connection").hasSize(1)
                    .allMatch(l -> l.contains("not UTF-8"));
        }
    }

    // ---- unix socket and a strict client ----

    @Test
    void jdkClientThroughAUnixSocketBackend() throws Exception {
        Path socket = Files.createTempDirectory("wst").resolve("echo.sock");
        try (ScriptedBackend backend = ScriptedBackend.unix(socket, ScriptedBackend.ECHO);
             TestServer s = TestServer.start("server.modules = (\"mod_wstunnel\")\n"
                     + "wstunnel.server = ( \"/ws\" => ( ( \"socket\" => \"" + socket + "\" ) ) )\n");
             HttpClient http = HttpClient.newHttpClient()) {
            LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
            WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + s.port() + "/ws"),
                    new WebSocket.Listener() {
                        private final StringBuilder text = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            text.append(data);
                            if (last) {
                                got.add(text.toString());
                                text.setLength(0);
                            }
                            w.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                            got.add("close " + code);
                            return null;
                        }

                        @Override
                        public void onError(WebSocket w, Throwable error) {
                            got.add("error " + error);
                        }
                    }).get(10, TimeUnit.SECONDS);
            for (int i = 1; i <= 5; i++) {
                ws.sendText("count " + i + " ✓", true).get(5, TimeUnit.SECONDS);
                StringBuilder echoed = new StringBuilder();
                while (echoed.length() < ("count " + i + " ✓").length()) {
                    String next = got.poll(10, TimeUnit.SECONDS);
                    assertThat(next).isNotNull().doesNotStartWith("close").doesNotStartWith("error");
                    echoed.append(next);
                }
                assertThat(echoed).hasToString("count " + i + " ✓");
            }
            CompletableFuture<WebSocket> closing = ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
            closing.get(5, TimeUnit.SECONDS);
            assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("close 1000");
            waitFor(() -> backend.events.contains("done"));
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(socket.getParent());
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(10);
        }
    }
}
