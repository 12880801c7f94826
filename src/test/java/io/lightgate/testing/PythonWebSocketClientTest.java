package io.lightgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.PythonWebSocketClient.Result;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The python3-websockets client against its own echo server (good, corrupting, closing, refusing, re-framing)
 * and against a raw server that breaks RFC 6455: each run must report exactly what went wrong.
 */
class PythonWebSocketClientTest {
    @BeforeAll
    static void requirePython() {
        PythonWebSocketClient.assumeAvailable();
    }

    @Test
    void echoesTextAndBinaryAndClosesWith1000() throws Exception {
        try (PythonWebSocketServer server = PythonWebSocketServer.start()) {
            Result r = new PythonWebSocketClient().text(4).binary(3).size(5000).run(server.uri("/echo"));
            assertThat(r.error()).isNull();
            assertThat(r.ok()).isTrue();
            assertThat(r.handshakeStatus()).isEqualTo(101);
            assertThat(r.sent()).isEqualTo(7);
            assertThat(r.echoed()).isEqualTo(7);
            assertThat(r.receivedText()).isEqualTo(4);
            assertThat(r.receivedBinary()).isEqualTo(3);
            assertThat(r.closeSent()).isEqualTo(1000);
            assertThat(r.closeCode()).isEqualTo(1000);
        }
    }

    @Test
    void aCorruptedEchoFails() throws Exception {
        try (PythonWebSocketServer server = PythonWebSocketServer.start("--corrupt", "3")) {
            Result r = new PythonWebSocketClient().run(server.uri("/"));
            assertThat(r.ok()).isFalse();
            assertThat(r.echoed()).isEqualTo(2);
            assertThat(r.error()).startsWith("message 2: echo differs at byte 63");
        }
    }

    @Test
    void reportsTheServersCloseCode() throws Exception {
        try (PythonWebSocketServer server = PythonWebSocketServer.start("--close-after", "2", "1011")) {
            Result early = new PythonWebSocketClient().run(server.uri("/"));
            assertThat(early.ok()).isFalse();
            assertThat(early.echoed()).isEqualTo(2);
            assertThat(early.closeCode()).isEqualTo(1011);
            assertThat(early.closeReason()).isEqualTo("closing as asked");

            // The same close is what a test of "backend gone" expects, so waiting for it is success.
            Result awaited = new PythonWebSocketClient().text(1).binary(1).serverCloses().run(server.uri("/"));
            assertThat(awaited.error()).isNull();
            assertThat(awaited.ok()).isTrue();
            assertThat(awaited.closeCode()).isEqualTo(1011);
        }
    }

    @Test
    void reportsARefusedHandshakesStatus() throws Exception {
        try (PythonWebSocketServer server = PythonWebSocketServer.start("--refuse", "503")) {
            Result r = new PythonWebSocketClient().run(server.uri("/"));
            assertThat(r.ok()).isFalse();
            assertThat(r.handshakeStatus()).isEqualTo(503);
            assertThat(r.sent()).isZero();
        }
    }

    @Test
    void reFramedEchoesNeedStreamFraming() throws Exception {
        try (PythonWebSocketServer server = PythonWebSocketServer.start("--split")) {
            Result exact = new PythonWebSocketClient().run(server.uri("/"));
            assertThat(exact.ok()).isFalse();
            assertThat(exact.error()).contains("the echo was one message of");

            Result stream = new PythonWebSocketClient().streamFraming().size(3000).run(server.uri("/"));
            assertThat(stream.error()).isNull();
            assertThat(stream.echoed()).isEqualTo(10);
            assertThat(stream.receivedText()).isEqualTo(10);
            assertThat(stream.receivedBinary()).isEqualTo(10);
        }
    }

    @Test
    void anEchoOfTheWrongTypeFailsExactFraming() throws Exception {
        // Echoes the payload of a binary message as a text frame, as mod_wstunnel in text mode does.
        byte[] textEcho = frame(0x81, "b0:".getBytes(StandardCharsets.US_ASCII));
        try (RawServer server = RawServer.start(textEcho)) {
            Result r = new PythonWebSocketClient().text(0).binary(1).size(3).run(server.uri());
            assertThat(r.ok()).isFalse();
            assertThat(r.error()).isEqualTo("message 0: sent binary, echo came back as text");
        }
    }

    @Test
    void invalidUtf8InATextFrameFailsWith1007() throws Exception {
        try (RawServer server = RawServer.start(frame(0x81, new byte[] {'t', (byte) 0xff, 'x'}))) {
            Result r = new PythonWebSocketClient().text(1).binary(0).run(server.uri());
            assertThat(r.ok()).isFalse();
            assertThat(r.closeSent()).isEqualTo(1007);
            assertThat(server.clientClose()).startsWith("88"); // a close frame from the client
        }
    }

    @Test
    void aReservedOpcodeFailsWith1002() throws Exception {
        try (RawServer server = RawServer.start(frame(0x83, new byte[] {1}))) {
            Result r = new PythonWebSocketClient().text(1).binary(0).run(server.uri());
            assertThat(r.ok()).isFalse();
            assertThat(r.closeSent()).isEqualTo(1002);
        }
    }

    @Test
    void aMaskedServerFrameFailsWith1002() throws Exception {
        byte[] masked = {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2};
        try (RawServer server = RawServer.start(masked)) {
            Result r = new PythonWebSocketClient().text(1).binary(0).run(server.uri());
            assertThat(r.ok()).isFalse();
            assertThat(r.closeSent()).isEqualTo(1002);
        }
    }

    private static byte[] frame(int firstByte, byte[] payload) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(firstByte);
        b.write(payload.length); // < 126, unmasked
        b.writeBytes(payload);
        return b.toByteArray();
    }

    /**
     * Accepts one connection, completes the handshake, sends {@code reply} once the first client frame
     * arrives, and records the next frame's first bytes (the client's close, if it sends one).
     */
    private static final class RawServer implements AutoCloseable {
        private static final Pattern KEY = Pattern.compile("(?im)^Sec-WebSocket-Key:\\s*(\\S+)\\s*$");
        private final ServerSocket listener;
        private final Thread thread;
        private volatile String clientClose = "";

        private RawServer(ServerSocket listener, byte[] reply) {
            this.listener = listener;
            this.thread = Thread.ofVirtual().start(() -> serve(reply));
        }

        static RawServer start(byte[] reply) throws IOException {
            return new RawServer(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()), reply);
        }

        URI uri() {
            return URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/");
        }

        String clientClose() throws InterruptedException {
            thread.join(10_000);
            return clientClose;
        }

        private void serve(byte[] reply) {
            try (Socket s = listener.accept()) {
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                String head = readHead(in);
                Matcher m = KEY.matcher(head);
                if (!m.find()) {
                    return;
                }
                out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + accept(m.group(1)) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                skipFrame(in);
                out.write(reply);
                out.flush();
                byte[] next = in.readNBytes(2);
                clientClose = HexFormat.of().formatHex(next);
            } catch (IOException e) {
                // the client hung up: nothing more to record
            }
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while (!b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("EOF in handshake");
                }
                b.write(c);
            }
            return b.toString(StandardCharsets.ISO_8859_1);
        }

        /** Reads one masked client frame (payload under 64 KiB in these tests). */
        private static void skipFrame(InputStream in) throws IOException {
            byte[] h = in.readNBytes(2);
            int len = h[1] & 0x7f;
            if (len == 126) {
                byte[] l = in.readNBytes(2);
                len = ((l[0] & 0xff) << 8) | (l[1] & 0xff);
            }
            in.readNBytes(4 + len);
        }

        private static String accept(String key) {
            try {
                byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(
                        (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
                return Base64.getEncoder().encodeToString(sha1);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws IOException, InterruptedException {
            listener.close();
            thread.join(10_000);
        }
    }
}
