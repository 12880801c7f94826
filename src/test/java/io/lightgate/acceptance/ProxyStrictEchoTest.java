package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.PythonWebSocketClient;
import io.lightgate.testing.PythonWebSocketServer;
import io.lightgate.testing.TestServer;
import io.lightgate.websocket.RawWebSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * lightgate's mod_proxy with upgrade enabled in front of an independent strict RFC 6455 echo server (Debian
 * python3-websockets), exercised by strict clients: a raw socket client that compares every frame byte for
 * byte (header bits, length encoding, payload), the JDK WebSocket client, and python3-websockets' client.
 * After the 101 the proxy is a byte tunnel: whatever the server framed must reach the client unaltered.
 */
@ExtendWith(LeakGuard.class)
class ProxyStrictEchoTest {
    private static final int[] SIZES = {0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20};
    private static final int[] CLOSE_CODES = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999};
    private static PythonWebSocketServer echo;

    private TestServer proxy;

    /** The seed's proxy config shape, pointed at the python echo server. */
    static String proxyConfig(int backendPort) {
        return "server.modules += (\"mod_proxy\")\n"
                + "proxy.server = ( \"/\" => (( \"host\" => \"127.0.0.1\", \"port\" => \"" + backendPort + "\" )))\n"
                + "proxy.header = ( \"upgrade\" => \"enable\" )\n";
    }

    @BeforeAll
    static void startEchoServer() throws Exception {
        PythonWebSocketClient.assumeAvailable();
        echo = PythonWebSocketServer.start("--max-size", Integer.toString(17 << 20));
    }

    @AfterAll
    static void stopEchoServer() throws IOException {
        if (echo != null) {
            echo.close();
        }
    }

    @BeforeEach
    void startProxy() throws Exception {
        proxy = TestServer.start(proxyConfig(echo.port()));
    }

    @AfterEach
    void stopProxy() throws IOException {
        proxy.close();
    }

    static Stream<Arguments> sizesAndTypes() {
        return Arrays.stream(SIZES).boxed().flatMap(n -> Stream.of(Arguments.of(n, true), Arguments.of(n, false)));
    }

    /** Valid UTF-8 of exactly {@code size} bytes, with 2-, 3- and 4-byte characters. */
    static byte[] textPayload(int size, long seed) {
        String[] pieces = {"a", "é", "€", "😀", "z", "\n"};
        Random random = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        while (out.size() < size) {
            byte[] piece = pieces[random.nextInt(pieces.length)].getBytes(StandardCharsets.UTF_8);
            out.writeBytes(out.size() + piece.length <= size ? piece : new byte[] {'x'});
        }
        return out.toByteArray();
    }

    static byte[] binaryPayload(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The length byte a conforming server uses (RFC 6455 §5.2: minimal encoding). */
    private static int lengthCode(int size) {
        return size < 126 ? size : size <= 0xFFFF ? 126 : 127;
    }

    @ParameterizedTest(name = "{0} bytes, text={1}")
    @MethodSource("sizesAndTypes")
    void rawClientGetsEachMessageBackAsTheServerFramedIt(int size, boolean text) throws Exception {
        byte[] payload = text ? textPayload(size, size) : binaryPayload(size, size);
        int b0 = text ? 0x81 : 0x82;
        try (RawWebSocket ws = RawWebSocket.open(proxy.port(), "/echo")) {
            ws.socket.setSoTimeout(30_000);
            assertThat(ws.responseHead).containsIgnoringCase("\r\nUpgrade: websocket\r\n");
            ws.send(b0, payload);
            RawWebSocket.Frame f = ws.read();
            assertThat(f.b0()).as("FIN + opcode").isEqualTo(b0);
            assertThat(f.b1()).as("unmasked, minimal length code").isEqualTo(lengthCode(size));
            SameBytes.assertSame(f.payload(), payload, "echo of %d bytes", size);

            ws.send(0x88, RawWebSocket.closePayload(1000, ""));
            assertThat(ws.readClose()).isEqualTo(1000);
            assertThat(ws.closedByServer()).isTrue();
        }
    }

    @Test
    void rawClientFragmentsWithAPingInsideAreReassembledByTheServer() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(proxy.port(), "/echo")) {
            // Text in three fragments, a UTF-8 character split between the first two, a ping between them.
            byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
            byte[] first = {'a', 'b', euro[0]};
            byte[] second = {euro[1], euro[2], 'c'};
            byte[] third = "déf".getBytes(StandardCharsets.UTF_8);
            ws.send(0x01, first);
            ws.send(0x89, "mid-message ping".getBytes(StandardCharsets.UTF_8));
            ws.send(0x00, second);
            ws.send(0x80, third);
            RawWebSocket.Frame pong = ws.read();
            assertThat(pong.b0()).as("PONG").isEqualTo(0x8A);
            assertThat(pong.text()).isEqualTo("mid-message ping");
            RawWebSocket.Frame whole = ws.read();
            assertThat(whole.b0()).isEqualTo(0x81);
            assertThat(whole.text()).isEqualTo("ab€cdéf");

            // Binary in 200 fragments of 0 .. 199 bytes (empty ones included), sent in one write.
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            byte[] all = binaryPayload(199 * 200 / 2, 7);
            int at = 0;
            for (int i = 0; i < 200; i++) {
                byte[] part = Arrays.copyOfRange(all, at, at + i);
                at += i;
                int b0 = (i == 0 ? 0x02 : 0x00) | (i == 199 ? 0x80 : 0);
                wire.writeBytes(RawWebSocket.frame(b0, part, true));
                expected.writeBytes(part);
            }
            ws.send(wire.toByteArray());
            RawWebSocket.Frame binary = ws.read();
            assertThat(binary.b0()).isEqualTo(0x82);
            SameBytes.assertSame(binary.payload(), expected.toByteArray(), "200 fragments reassembled");

            ws.send(0x88, RawWebSocket.closePayload(1000, "bye"));
            assertThat(ws.readClose()).isEqualTo(1000);
        }
    }

    @Test
    void rawClientPingsAreAnsweredByTheServerWithTheSamePayload() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(proxy.port(), "/echo")) {
            for (int size : new int[] {0, 1, 125}) {
                byte[] payload = binaryPayload(size, 1000 + size);
                ws.send(0x89, payload);
                RawWebSocket.Frame pong = ws.read();
                assertThat(pong.b0()).as("PONG for a ping of %d bytes", size).isEqualTo(0x8A);
                assertThat(pong.payload()).isEqualTo(payload);
            }
            ws.send(0x88, RawWebSocket.closePayload(1000, ""));
            assertThat(ws.readClose()).isEqualTo(1000);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999})
    void everyValidCloseCodeIsEchoedUnalteredWithItsReason(int code) throws Exception {
        assertThat(CLOSE_CODES).contains(code);
        try (RawWebSocket ws = RawWebSocket.open(proxy.port(), "/echo")) {
            byte[] close = RawWebSocket.closePayload(code, "reason " + code + " ✓");
            ws.send(0x88, close);
            RawWebSocket.Frame answer = ws.read();
            assertThat(answer.b0()).as("CLOSE").isEqualTo(0x88);
            assertThat(answer.payload()).as("code and reason echoed byte for byte").isEqualTo(close);
            assertThat(ws.closedByServer()).as("the server's TCP close reaches the client").isTrue();
        }
    }

    /** Collects whole messages (text as UTF-8 bytes, tagged) and pongs from the JDK client. */
    static final class Messages implements WebSocket.Listener {
        record Message(boolean text, byte[] bytes) { }

        final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                received.add(new Message(true, text.toString().getBytes(StandardCharsets.UTF_8)));
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
                received.add(new Message(false, binary.toByteArray()));
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            byte[] b = new byte[message.remaining()];
            message.get(b);
            received.add("pong:" + new String(b, StandardCharsets.UTF_8));
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            received.add("close:" + code + ":" + reason);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            received.add("error:" + error);
        }

        Object next() throws InterruptedException {
            Object o = received.poll(30, TimeUnit.SECONDS);
            assertThat(o).as("a message within 30 s").isNotNull();
            return o;
        }
    }

    @Test
    void jdkClientEveryMessageSizeTextAndBinaryPingAndClose() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            Messages m = new Messages();
            WebSocket ws = http.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + proxy.port() + "/jdk"), m).get(10, TimeUnit.SECONDS);
            for (int size : SIZES) {
                byte[] text = textPayload(size, 31L * size);
                ws.sendText(new String(text, StandardCharsets.UTF_8), true).get(30, TimeUnit.SECONDS);
                assertThat(m.next()).as("text echo of %d bytes", size)
                        .isInstanceOfSatisfying(Messages.Message.class, got -> {
                            assertThat(got.text()).isTrue();
                            SameBytes.assertSame(got.bytes(), text, "text echo of %d bytes", size);
                        });
                byte[] binary = binaryPayload(size, 37L * size);
                ws.sendBinary(ByteBuffer.wrap(binary), true).get(30, TimeUnit.SECONDS);
                assertThat(m.next()).as("binary echo of %d bytes", size)
                        .isInstanceOfSatisfying(Messages.Message.class, got -> {
                            assertThat(got.text()).isFalse();
                            SameBytes.assertSame(got.bytes(), binary, "binary echo of %d bytes", size);
                        });
            }
            ws.sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
            assertThat(m.next()).isEqualTo("pong:are you there");
            ws.sendClose(4999, "done ✓").get(5, TimeUnit.SECONDS);
            assertThat(m.next()).isEqualTo("close:4999:done ✓");
        }
    }

    @Test
    void pythonClientInExactFramingSeesEveryEchoUnaltered() throws Exception {
        PythonWebSocketClient.Result r = new PythonWebSocketClient().text(6).binary(6).size(200_000)
                .run(URI.create("ws://127.0.0.1:" + proxy.port() + "/python"));
        assertThat(r.error()).as("stderr: %s", r.stderr()).isNull();
        assertThat(r.ok()).isTrue();
        assertThat(r.handshakeStatus()).isEqualTo(101);
        assertThat(r.sent()).isEqualTo(12);
        assertThat(r.echoed()).isEqualTo(12);
        assertThat(r.receivedText()).isEqualTo(6);
        assertThat(r.receivedBinary()).isEqualTo(6);
        assertThat(r.closeCode()).as("the server's answer to the client's 1000").isEqualTo(1000);
    }
}
