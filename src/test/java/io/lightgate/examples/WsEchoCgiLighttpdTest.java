package io.lightgate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.Lighttpd;
import io.lightgate.testing.PythonWebSocketClient;
import io.lightgate.testing.RawHttp;
import io.lightgate.websocket.RawWebSocket;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * examples/cgi/ws-echo.pl behind Debian's lighttpd 1.4.69 with mod_cgi and {@code cgi.upgrade = 1}, the
 * configuration the lighttpd wiki gives for WebSockets over CGI: driven by the JDK's WebSocket client, by
 * python3-websockets and by raw frames. After each test no CGI process may be left running.
 */
class WsEchoCgiLighttpdTest {
    @TempDir
    static Path dir;
    private static Lighttpd lighttpd;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        Lighttpd.assumeAvailable();
        Path docroot = dir.resolve("docroot");
        for (String sub : new String[] {"ws", "ws-small"}) {
            Files.createDirectories(docroot.resolve(sub));
            Files.copy(WsEchoProcess.SCRIPT, docroot.resolve(sub).resolve("ws-echo.pl"),
                    StandardCopyOption.COPY_ATTRIBUTES);
        }
        lighttpd = Lighttpd.start(dir, port -> """
                server.document-root = "%1$s/docroot"
                server.bind          = "127.0.0.1"
                server.port          = %2$d
                server.errorlog      = "%1$s/error.log"
                server.modules      += ( "mod_setenv", "mod_cgi" )
                $HTTP["url"] =^ "/ws" {
                    cgi.assign  = ( "" => "" )
                    cgi.upgrade = 1
                }
                $HTTP["url"] =^ "/ws-small/" {
                    setenv.add-environment = ( "WS_ECHO_MAX_MESSAGE" => "1000" )
                }
                """.formatted(dir, port));
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() throws IOException {
        if (http != null) {
            http.close();
        }
        if (lighttpd != null) {
            lighttpd.close();
        }
    }

    @AfterEach
    void noCgiLeftRunning() throws Exception {
        assertThat(lighttpd.awaitNoChildren(Duration.ofSeconds(10))).as("CGI processes still running").isEmpty();
        // the script's stderr reaches lighttpd's: perl warnings would show there
        assertThat(lighttpd.output() + lighttpd.errorLog()).doesNotContain("ws-echo");
    }

    private static URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + lighttpd.port() + path);
    }

    /** Collects whole messages (the JDK client hands them over in parts) and the server's close code. */
    static final class Messages implements WebSocket.Listener {
        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        final BlockingQueue<Integer> closeCode = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                received.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b);
            if (last) {
                received.add(binary.toByteArray());
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closeCode.add(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            received.add(error);
        }

        Object next() throws InterruptedException {
            Object m = received.poll(30, TimeUnit.SECONDS);
            assertThat(m).as("a message within 30 s").isNotNull().isNotInstanceOf(Throwable.class);
            return m;
        }
    }

    @Test
    void echoesTextAndBinaryOfEverySizeToTheJdkClient() throws Exception {
        Messages messages = new Messages();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(ws("/ws/ws-echo.pl"), messages).get(10, TimeUnit.SECONDS);
        for (int size : new int[] {0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20}) {
            String text = new String(WsEchoCgiTest.utf8Text(size), StandardCharsets.UTF_8);
            ws.sendText(text, true).get(30, TimeUnit.SECONDS);
            assertThat(messages.next()).as("text of %d bytes", size).isEqualTo(text);
            byte[] data = new byte[size];
            ThreadLocalRandom.current().nextBytes(data);
            ws.sendBinary(ByteBuffer.wrap(data), true).get(30, TimeUnit.SECONDS);
            assertThat(messages.next()).as("binary of %d bytes", size).isEqualTo(data);
        }
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        assertThat(messages.closeCode.poll(10, TimeUnit.SECONDS)).isEqualTo(1000);
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 3000, 4000, 4999}) // the codes the JDK client lets an application send
    void echoesTheJdkClientsCloseCode(int code) throws Exception {
        Messages messages = new Messages();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(ws("/ws/ws-echo.pl"), messages).get(10, TimeUnit.SECONDS);
        ws.sendText("before closing", true).get(10, TimeUnit.SECONDS);
        assertThat(messages.next()).isEqualTo("before closing");
        ws.sendClose(code, "bye").get(10, TimeUnit.SECONDS);
        assertThat(messages.closeCode.poll(10, TimeUnit.SECONDS)).isEqualTo(code);
    }

    @Test
    void echoesToPythonWebsockets() throws Exception {
        PythonWebSocketClient.assumeAvailable();
        PythonWebSocketClient.Result small = new PythonWebSocketClient().text(5).binary(5).size(64)
                .run(ws("/ws/ws-echo.pl"));
        assertThat(small.ok()).as("%s", small).isTrue();
        assertThat(small.echoed()).isEqualTo(10);
        assertThat(small.closeCode()).isEqualTo(1000);
        PythonWebSocketClient.Result large = new PythonWebSocketClient().text(2).binary(2).size(4 << 20)
                .timeout(Duration.ofSeconds(30)).run(ws("/ws/ws-echo.pl"));
        assertThat(large.ok()).as("%s", large).isTrue();
        assertThat(large.echoed()).isEqualTo(4);
        assertThat(large.closeCode()).isEqualTo(1000);
    }

    @Test
    void closesViolationsWithTheirCodesThroughLighttpd() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(lighttpd.port(), "/ws/ws-echo.pl")) {
            ws.send(RawWebSocket.frame(0x81, "unmasked".getBytes(StandardCharsets.UTF_8), false));
            assertThat(ws.readClose()).isEqualTo(1002);
            assertThat(ws.closedByServer()).isTrue();
        }
        try (RawWebSocket ws = RawWebSocket.open(lighttpd.port(), "/ws/ws-echo.pl")) {
            ws.send(0x81, new byte[] {'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80});
            assertThat(ws.readClose()).isEqualTo(1007);
            assertThat(ws.closedByServer()).isTrue();
        }
        try (RawWebSocket ws = RawWebSocket.open(lighttpd.port(), "/ws-small/ws-echo.pl")) {
            ws.send(0x82, new byte[1000]);
            assertThat(ws.read().payload()).hasSize(1000);
            ws.send(0x82, new byte[1001]); // over WS_ECHO_MAX_MESSAGE, set with setenv.add-environment
            assertThat(ws.readClose()).isEqualTo(1009);
            assertThat(ws.closedByServer()).isTrue();
        }
    }

    @Test
    void aBadHandshakeGetsTheScripts400() throws Exception {
        String response = RawHttp.exchange(lighttpd.port(), "GET /ws/ws-echo.pl HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade, close\r\nSec-WebSocket-Key: " + WsEchoProcess.RFC_KEY
                + "\r\nSec-WebSocket-Version: 8\r\n\r\n", Duration.ofSeconds(10));
        assertThat(response).startsWith("HTTP/1.1 400 ").contains("\r\nSec-WebSocket-Version: 13\r\n")
                .endsWith("Sec-WebSocket-Version must be 13\n");
    }

    @Test
    void aPlainGetGets204() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + lighttpd.port()
                + "/ws/ws-echo.pl")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
    }
}
