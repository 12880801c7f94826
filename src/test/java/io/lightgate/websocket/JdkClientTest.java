package io.lightgate.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The JDK's java.net.http.WebSocket as an independent strict client of {@link WebSocketStream}: it masks,
 * fragments, checks that server frames are unmasked and that text decodes as UTF-8 (an invalid or split
 * sequence fails its receiver), and runs the closing handshake.
 */
@ExtendWith(LeakGuard.class)
class JdkClientTest {
    private static TestServer server;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(WebSocketTestModule.CONFIG, WebSocketTestModule.registry());
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() throws IOException {
        http.close();
        server.close();
    }

    /** Records everything the JDK client receives, as strings, in order. */
    static final class Recorder implements WebSocket.Listener {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                events.add("text:" + text);
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            events.add("binary:" + new String(b, java.nio.charset.StandardCharsets.ISO_8859_1));
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            events.add("ping:" + java.nio.charset.StandardCharsets.UTF_8.decode(message));
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            events.add("pong:" + java.nio.charset.StandardCharsets.UTF_8.decode(message));
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            events.add("close:" + statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            events.add("error:" + error);
        }

        String next() throws InterruptedException {
            String e = events.poll(10, TimeUnit.SECONDS);
            return e == null ? "<<timeout>>" : e;
        }
    }

    private static WebSocket open(String path, Recorder recorder) throws Exception {
        return http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + server.port() + path), recorder)
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void echoesTextPingsAndClosesCleanly() throws Exception {
        Recorder r = new Recorder();
        WebSocket ws = open("/ws/echo", r);
        ws.sendText("grüße €𝄞", true).get(5, TimeUnit.SECONDS);
        assertThat(r.next()).isEqualTo("text:grüße €𝄞");
        ws.sendPing(ByteBuffer.wrap("are you there".getBytes())).get(5, TimeUnit.SECONDS);
        assertThat(r.next()).isEqualTo("pong:are you there");
        ws.sendClose(4001, "done").get(5, TimeUnit.SECONDS);
        assertThat(r.next()).isEqualTo("close:4001");
        assertThat(r.events.poll(300, TimeUnit.MILLISECONDS)).as("nothing after the close").isNull();
    }

    @Test
    void fragmentedTextFromTheClientWithSequencesSplitByTheJdk() throws Exception {
        Recorder r = new Recorder();
        WebSocket ws = open("/ws/echo?split", r);
        // Fragments of one message; the echo comes back byte-wise written, framed per complete character.
        ws.sendText("€€", false).get(5, TimeUnit.SECONDS);
        ws.sendText("𝄞!", true).get(5, TimeUnit.SECONDS);
        StringBuilder got = new StringBuilder();
        while (got.length() < "€€𝄞!".length()) {
            String e = r.next();
            assertThat(e).startsWith("text:");
            got.append(e.substring(5));
        }
        assertThat(got).hasToString("€€𝄞!");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        assertThat(r.next()).isEqualTo("close:1000");
    }

    @Test
    void binaryModeAndServerPings() throws Exception {
        Recorder r = new Recorder();
        WebSocket ws = open("/ws/echo?binary&ping=1", r);
        ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).get(5, TimeUnit.SECONDS);
        assertThat(r.next()).isEqualTo("binary:\u0001\u0002\u0003");
        assertThat(r.next()).isEqualTo("ping:ping");
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        assertThat(r.next()).isEqualTo("close:1000");
    }

    @Test
    void backendEndIsClose1001AndErrorIs1011() throws Exception {
        Recorder end = new Recorder();
        WebSocket ws = open("/ws/end", end);
        ws.sendText("bye", true).get(5, TimeUnit.SECONDS);
        assertThat(end.next()).isEqualTo("text:bye");
        assertThat(end.next()).isEqualTo("close:1001");
        // The JDK answers the CLOSE itself once onClose returns; then both sides are done.
        waitUntil(ws::isInputClosed);
        waitUntil(ws::isOutputClosed);

        Recorder abort = new Recorder();
        WebSocket ws2 = open("/ws/abort", abort);
        ws2.sendText("boom", true).get(5, TimeUnit.SECONDS);
        assertThat(abort.next()).isEqualTo("close:1011");
        waitUntil(ws2::isOutputClosed);
        assertThat(abort.events.poll(300, TimeUnit.MILLISECONDS)).as("no error, nothing more").isNull();
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 5 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
