package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.PythonWebSocketClient;
import io.lightgate.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's wstunnel setup (see {@link SeedWstunnel}) with independent strict clients: the JDK
 * java.net.http.WebSocket client against echo.pl (line-based, so every message ends in "\n") and Debian's
 * python3-websockets in stream framing against echo-incremental.pl (which echoes whatever one read brings, five
 * reads a second apart, then closes). mod_wstunnel frames per backend read, so echoes are accumulated across
 * frames.
 */
@ExtendWith(LeakGuard.class)
class SeedStrictClientsTest {
    @TempDir
    Path dir;

    /** Collects text frames and the end of a JDK WebSocket. */
    static final class Collector implements WebSocket.Listener {
        final LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<String> ends = new LinkedBlockingQueue<>();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            texts.add(data.toString());
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, java.nio.ByteBuffer data, boolean last) {
            ends.add("unexpected binary frame of " + data.remaining() + " bytes");
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            ends.add("close " + code);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            ends.add("error " + error);
        }

        /** Reads text frames until {@code expected} has arrived (or fails on more, less, or an end). */
        String awaitEcho(String expected) throws InterruptedException {
            StringBuilder got = new StringBuilder();
            while (got.length() < expected.length()) {
                String next = texts.poll(10, TimeUnit.SECONDS);
                assertThat(ends).as("while waiting for the echo of %s", expected).isEmpty();
                assertThat(next).as("echo of %s so far: %s", expected, got).isNotNull();
                got.append(next);
            }
            return got.toString();
        }
    }

    @Test
    void jdkClientEchoesCountsAndMultiByteTextThroughEchoPl() throws Exception {
        SeedWstunnel seed = SeedWstunnel.prepare(dir, SeedWstunnel.Program.ECHO);
        try (TestServer server = seed.start(); HttpClient http = HttpClient.newHttpClient()) {
            Collector c = new Collector();
            WebSocket ws = http.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws/"), c).get(10, TimeUnit.SECONDS);
            for (int i = 1; i <= 5; i++) {
                ws.sendText(i + "\n", true).get(5, TimeUnit.SECONDS);
                assertThat(c.awaitEcho(i + "\n")).isEqualTo(i + "\n");
            }
            // 2-, 3- and 4-byte UTF-8 characters; then a long line that the backend writes in several pieces,
            // so mod_wstunnel frames it in several text frames and must never split a character between two.
            String multiByte = "héllo wörld € ✓ 😀 日本語\n";
            ws.sendText(multiByte, true).get(5, TimeUnit.SECONDS);
            assertThat(c.awaitEcho(multiByte)).isEqualTo(multiByte);
            String longLine = "é€😀x".repeat(20_000) + "\n";
            ws.sendText(longLine, true).get(10, TimeUnit.SECONDS);
            assertThat(c.awaitEcho(longLine)).isEqualTo(longLine);

            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
            assertThat(c.ends.poll(10, TimeUnit.SECONDS)).isEqualTo("close 1000");
            assertThat(c.texts).isEmpty();
        }
    }

    @Test
    void pythonWebsocketsInStreamFramingThroughEchoIncrementalPl() throws Exception {
        PythonWebSocketClient.assumeAvailable();
        SeedWstunnel seed = SeedWstunnel.prepare(dir, SeedWstunnel.Program.ECHO_INCREMENTAL);
        try (TestServer server = seed.start()) {
            // Five messages: echo-incremental.pl reads five times per connection (1 s apart, 1024 bytes at
            // most), then closes, which mod_wstunnel reports with 1001 (backend EOF).
            PythonWebSocketClient.Result r = new PythonWebSocketClient().text(3).binary(2).size(500)
                    .streamFraming().serverCloses().run(URI.create("ws://127.0.0.1:" + server.port() + "/ws/"));
            assertThat(r.error()).as("stderr: %s", r.stderr()).isNull();
            assertThat(r.ok()).isTrue();
            assertThat(r.handshakeStatus()).isEqualTo(101);
            assertThat(r.sent()).isEqualTo(5);
            assertThat(r.echoed()).isEqualTo(5);
            assertThat(r.closeCode()).isEqualTo(1001);
            // The default frame type is text: the binary messages' random bytes come back as binary frames
            // (they are not UTF-8), the text messages as text frames.
            assertThat(r.receivedText()).isPositive();
            assertThat(r.receivedBinary()).isPositive();
        }
    }
}
