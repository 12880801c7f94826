package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.PythonWebSocketClient;
import io.lightgate.websocket.RawWebSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Strict WebSocket runs through the seed's three CGI paths (mod_cgi, mod_scgi + scgi-cgi, mod_fastcgi + fcgi-cgi,
 * see {@link SeedCgiFamily}) to the project's examples/cgi/ws-echo.pl: messages of 0 B .. 16 MiB, text and
 * binary, fragments with a ping inside, pings, every valid close code (answered with that code), with a raw client, the JDK client and
 * python3-websockets. The byte-level check: what a raw client receives after the 101 is byte for byte what
 * ws-echo.pl writes when run directly on the same input, so lightgate altered nothing in either direction.
 */
@ExtendWith(LeakGuard.class)
class CgiFamilyStrictEchoTest {
    private static final int[] SIZES = {0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20};
    private static final int[] CLOSE_CODES = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4999};

    @TempDir
    Path dir;

    @BeforeAll
    static void assumeSeed() {
        SeedCgiFamily.assumeReady();
    }

    /** The client's side of the byte-level run: every size both ways, fragments around a ping, a ping, a close. */
    private static byte[] clientFrames() {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        for (int size : SIZES) {
            in.writeBytes(RawWebSocket.frame(0x81, ProxyStrictEchoTest.textPayload(size, size), true));
            in.writeBytes(RawWebSocket.frame(0x82, ProxyStrictEchoTest.binaryPayload(size, size), true));
        }
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        in.writeBytes(RawWebSocket.frame(0x01, new byte[] {'a', 'b', euro[0]}, true));
        in.writeBytes(RawWebSocket.frame(0x89, "mid-message ping".getBytes(StandardCharsets.UTF_8), true));
        in.writeBytes(RawWebSocket.frame(0x00, new byte[] {euro[1], euro[2], 'c'}, true));
        in.writeBytes(RawWebSocket.frame(0x80, "déf".getBytes(StandardCharsets.UTF_8), true));
        in.writeBytes(RawWebSocket.frame(0x89, new byte[0], true));
        in.writeBytes(RawWebSocket.frame(0x88, RawWebSocket.closePayload(4999, "done ✓"), true));
        return in.toByteArray();
    }

    /** ws-echo.pl run directly (as CGI, the RFC's key) on {@code input}: its output after the CGI head. */
    private static byte[] directOutput(byte[] input) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(SeedCgiFamily.WS_ECHO_PL.toString());
        pb.environment().clear();
        pb.environment().putAll(java.util.Map.of("PATH", "/usr/bin:/bin", "GATEWAY_INTERFACE", "CGI/1.1",
                "SERVER_PROTOCOL", "HTTP/1.1", "REQUEST_METHOD", "GET", "SCRIPT_NAME", "/ws/ws-echo.pl",
                "HTTP_HOST", "127.0.0.1", "HTTP_UPGRADE", "websocket", "HTTP_CONNECTION", "Upgrade",
                "HTTP_SEC_WEBSOCKET_KEY", "dGhlIHNhbXBsZSBub25jZQ==", "HTTP_SEC_WEBSOCKET_VERSION", "13"));
        Process p = pb.redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = pumpAndReadAll(input, p.getOutputStream(), p.getInputStream());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        assertThat(text).startsWith("Status: 101");
        return Arrays.copyOfRange(out, headEnd + 4, out.length);
    }

    /** Writes {@code input} from another thread (the echo flows back while we send) and reads to EOF. */
    private static byte[] pumpAndReadAll(byte[] input, OutputStream to, InputStream from) throws Exception {
        CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
            try {
                to.write(input);
                to.flush();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] all = from.readAllBytes();
        sent.get(60, TimeUnit.SECONDS);
        return all;
    }

    @ParameterizedTest
    @EnumSource(SeedCgiFamily.Route.class)
    void rawClientReceivesExactlyTheBytesTheScriptWrites(SeedCgiFamily.Route route) throws Exception {
        byte[] input = clientFrames();
        byte[] expected = directOutput(input);
        try (CgiFamilyRun run = CgiFamilyRun.start(dir, route);
             RawWebSocket ws = RawWebSocket.open(run.port(), "/ws/ws-echo.pl")) {
            ws.socket.setSoTimeout(120_000);
            byte[] received = pumpAndReadAll(input, ws.socket.getOutputStream(), ws.socket.getInputStream());
            SameBytes.assertSame(received, expected, "%s: bytes after the 101", route);
            // and what those bytes are: every message echoed as one unmasked frame, pongs, the close echoed
            List<RawWebSocket.Frame> frames = frames(received);
            List<String> summary = frames.stream().map(f -> Integer.toHexString(f.b0()) + ":" + f.payload().length)
                    .toList();
            List<String> wanted = new ArrayList<>();
            for (int size : SIZES) {
                wanted.add("81:" + size);
                wanted.add("82:" + size);
            }
            wanted.addAll(List.of("8a:16", "81:" + "ab€cdéf".getBytes(StandardCharsets.UTF_8).length, "8a:0",
                    "88:2")); // ws-echo.pl answers a close with its code alone
            assertThat(summary).isEqualTo(wanted);
            assertThat(frames).allMatch(f -> !f.masked());
            for (int i = 0; i < SIZES.length; i++) {
                SameBytes.assertSame(frames.get(2 * i).payload(), ProxyStrictEchoTest.textPayload(SIZES[i], SIZES[i]),
                        "text echo of %d bytes", SIZES[i]);
                SameBytes.assertSame(frames.get(2 * i + 1).payload(),
                        ProxyStrictEchoTest.binaryPayload(SIZES[i], SIZES[i]), "binary echo of %d bytes", SIZES[i]);
            }
        }
    }

    /** Splits server frames (unmasked; 64-bit lengths stay under 2 GiB here). */
    private static List<RawWebSocket.Frame> frames(byte[] bytes) {
        List<RawWebSocket.Frame> frames = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int b0 = bytes[at] & 0xFF;
            int b1 = bytes[at + 1] & 0xFF;
            at += 2;
            long n = b1 & 0x7F;
            int extra = n == 126 ? 2 : n == 127 ? 8 : 0;
            if (extra > 0) {
                n = 0;
                for (int i = 0; i < extra; i++) {
                    n = (n << 8) | (bytes[at++] & 0xFF);
                }
            }
            frames.add(new RawWebSocket.Frame(b0, b1, Arrays.copyOfRange(bytes, at, at + (int) n)));
            at += (int) n;
        }
        return frames;
    }

    @ParameterizedTest
    @EnumSource(SeedCgiFamily.Route.class)
    void everyValidCloseCodeIsAnsweredWithThatCode(SeedCgiFamily.Route route) throws Exception {
        try (CgiFamilyRun run = CgiFamilyRun.start(dir, route)) {
            for (int code : CLOSE_CODES) {
                try (RawWebSocket ws = RawWebSocket.open(run.port(), "/ws/ws-echo.pl")) {
                    byte[] close = RawWebSocket.closePayload(code, "reason " + code + " ✓");
                    ws.send(0x88, close);
                    RawWebSocket.Frame answer = ws.read();
                    assertThat(answer.b0()).as("CLOSE for %d", code).isEqualTo(0x88);
                    // ws-echo.pl answers with the client's code and no reason (RFC 6455 5.5.1 lets it)
                    assertThat(answer.payload()).as("code %d answered", code)
                            .isEqualTo(RawWebSocket.closePayload(code, ""));
                    assertThat(ws.closedByServer()).as("the connection ends after the close").isTrue();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SeedCgiFamily.Route.class)
    void jdkClientEveryMessageSizeTextAndBinaryPingAndClose(SeedCgiFamily.Route route) throws Exception {
        try (CgiFamilyRun run = CgiFamilyRun.start(dir, route); HttpClient http = HttpClient.newHttpClient()) {
            ProxyStrictEchoTest.Messages m = new ProxyStrictEchoTest.Messages();
            WebSocket ws = http.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + run.port() + "/ws/ws-echo.pl"), m)
                    .get(20, TimeUnit.SECONDS);
            for (int size : SIZES) {
                byte[] text = ProxyStrictEchoTest.textPayload(size, 31L * size);
                ws.sendText(new String(text, StandardCharsets.UTF_8), true).get(60, TimeUnit.SECONDS);
                assertThat(m.next()).as("text echo of %d bytes", size)
                        .isInstanceOfSatisfying(ProxyStrictEchoTest.Messages.Message.class, got -> {
                            assertThat(got.text()).isTrue();
                            SameBytes.assertSame(got.bytes(), text, "text echo of %d bytes", size);
                        });
                byte[] binary = ProxyStrictEchoTest.binaryPayload(size, 37L * size);
                ws.sendBinary(ByteBuffer.wrap(binary), true).get(60, TimeUnit.SECONDS);
                assertThat(m.next()).as("binary echo of %d bytes", size)
                        .isInstanceOfSatisfying(ProxyStrictEchoTest.Messages.Message.class, got -> {
                            assertThat(got.text()).isFalse();
                            SameBytes.assertSame(got.bytes(), binary, "binary echo of %d bytes", size);
                        });
            }
            ws.sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
            assertThat(m.next()).isEqualTo("pong:are you there");
            ws.sendClose(4999, "done ✓").get(5, TimeUnit.SECONDS);
            assertThat(m.next()).isEqualTo("close:4999:"); // the code comes back, the reason does not
        }
    }

    @ParameterizedTest
    @EnumSource(SeedCgiFamily.Route.class)
    void pythonWebsocketsClientSeesEveryEchoUnaltered(SeedCgiFamily.Route route) throws Exception {
        PythonWebSocketClient.assumeAvailable();
        try (CgiFamilyRun run = CgiFamilyRun.start(dir, route)) {
            PythonWebSocketClient.Result r = new PythonWebSocketClient().text(6).binary(6).size(200_000)
                    .run(URI.create("ws://127.0.0.1:" + run.port() + "/ws/ws-echo.pl"));
            assertThat(r.error()).as("stderr: %s", r.stderr()).isNull();
            assertThat(r.ok()).isTrue();
            assertThat(r.handshakeStatus()).isEqualTo(101);
            assertThat(r.echoed()).isEqualTo(12);
            assertThat(r.receivedText()).isEqualTo(6);
            assertThat(r.receivedBinary()).isEqualTo(6);
            assertThat(r.closeCode()).as("the script's answer to the client's 1000").isEqualTo(1000);
        }
    }
}
