package io.lightgate.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.websocket.RawWebSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * examples/cgi/ws-echo.pl on its own: started as a CGI program with the environment a server builds, driven with
 * raw frames on its stdin, its stdout read frame by frame. Every test also requires a silent stderr (no perl
 * warnings) and exit status 0 where the script ends by itself.
 */
class WsEchoCgiTest {
    static final int FIN = 0x80;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    // --- handshake ---

    @Test
    void answersTheHandshakeWithTheRfcAcceptValue() throws Exception {
        try (WsEchoProcess p = WsEchoProcess.start(WsEchoProcess.upgradeEnv())) {
            assertThat(p.readHead()).isEqualTo("Status: 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + WsEchoProcess.RFC_ACCEPT + "\r\n\r\n");
            p.closeStdin();
            assertThat(p.readToEnd()).isEmpty();
            assertEndedCleanly(p);
        }
    }

    @Test
    void theUpgradeTokenIsCaseInsensitive() throws Exception {
        try (WsEchoProcess p = WsEchoProcess.upgraded(Map.of("HTTP_UPGRADE", "WebSocket"))) {
            p.send(FIN | TEXT, "hi".getBytes(StandardCharsets.UTF_8));
            assertThat(p.readFrame().text()).isEqualTo("hi");
        }
    }

    @Test
    void aPlainGetGets204LikeTheSeedsScript() throws Exception {
        Map<String, String> env = WsEchoProcess.upgradeEnv();
        env.remove("HTTP_UPGRADE");
        env.remove("HTTP_CONNECTION");
        try (WsEchoProcess p = WsEchoProcess.start(env)) {
            assertThat(new String(p.readToEnd(), StandardCharsets.ISO_8859_1)).isEqualTo("Status: 204\r\n\r\n");
            assertEndedCleanly(p);
        }
    }

    static Stream<Arguments> badHandshakes() {
        return Stream.of(
                bad("another protocol", e -> e.put("HTTP_UPGRADE", "h2c"), "Upgrade must be websocket"),
                bad("POST", e -> e.put("REQUEST_METHOD", "POST"), "a WebSocket handshake is a GET"),
                bad("no key", e -> e.remove("HTTP_SEC_WEBSOCKET_KEY"), "Sec-WebSocket-Key must be 16 bytes"),
                bad("a 15-byte key", e -> e.put("HTTP_SEC_WEBSOCKET_KEY", "AAAAAAAAAAAAAAAAAAAA"),
                        "Sec-WebSocket-Key must be 16 bytes"),
                bad("a 17-byte key", e -> e.put("HTTP_SEC_WEBSOCKET_KEY", "AAAAAAAAAAAAAAAAAAAAAAA="),
                        "Sec-WebSocket-Key must be 16 bytes"),
                bad("a key with a stray character", e -> e.put("HTTP_SEC_WEBSOCKET_KEY", "dGhlIHNhbXBsZS!ub25jZQ=="),
                        "Sec-WebSocket-Key must be 16 bytes"),
                bad("version 8", e -> e.put("HTTP_SEC_WEBSOCKET_VERSION", "8"), "Sec-WebSocket-Version must be 13"),
                bad("no version", e -> e.remove("HTTP_SEC_WEBSOCKET_VERSION"), "Sec-WebSocket-Version must be 13"));
    }

    private static Arguments bad(String name, Consumer<Map<String, String>> change, String message) {
        return Arguments.of(name, change, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badHandshakes")
    void refusesABadHandshakeWith400(String name, Consumer<Map<String, String>> change, String message)
            throws Exception {
        Map<String, String> env = new HashMap<>(WsEchoProcess.upgradeEnv());
        change.accept(env);
        try (WsEchoProcess p = WsEchoProcess.start(env)) {
            String out = new String(p.readToEnd(), StandardCharsets.ISO_8859_1);
            assertThat(out).startsWith("Status: 400\r\n").contains("Content-Type: text/plain\r\n\r\n" + message);
            if (message.contains("Version")) {
                // RFC 6455 section 4.4: the refusal names the version the server speaks
                assertThat(out).contains("\r\nSec-WebSocket-Version: 13\r\n");
            }
            assertEndedCleanly(p);
        }
    }

    // --- echo ---

    static Stream<Integer> sizes() {
        // every length encoding and its edges, up to the 16 MiB a message may have by default
        return Stream.of(0, 1, 125, 126, 127, 65535, 65536, 65537, 1 << 20, 16 << 20);
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void echoesTextMessagesOfEverySize(int size) throws Exception {
        assertEchoed(TEXT, utf8Text(size));
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void echoesBinaryMessagesOfEverySize(int size) throws Exception {
        byte[] data = new byte[size];
        ThreadLocalRandom.current().nextBytes(data);
        assertEchoed(BINARY, data);
    }

    private static void assertEchoed(int opcode, byte[] payload) throws Exception {
        try (WsEchoProcess p = WsEchoProcess.upgraded()) {
            CompletableFuture<Void> sent = p.sendInBackground(RawWebSocket.frame(FIN | opcode, payload, true));
            RawWebSocket.Frame echo = p.readFrame();
            sent.join();
            assertThat(echo.fin()).isTrue();
            assertThat(echo.opcode()).isEqualTo(opcode);
            assertThat(echo.payload()).isEqualTo(payload);
            closeNormally(p);
        }
    }

    @Test
    void reassemblesFragmentsAroundInterleavedControlFrames() throws Exception {
        byte[] text = "fragments: caf\u00e9 \u20ac \uD83D\uDE00 end".getBytes(StandardCharsets.UTF_8);
        int euro = indexOf(text, (byte) 0xE2);
        int emoji = indexOf(text, (byte) 0xF0);
        try (WsEchoProcess p = WsEchoProcess.upgraded()) {
            // the fragments cut the euro sign and the emoji in the middle of their UTF-8 sequences
            p.send(TEXT, slice(text, 0, euro + 1));
            p.send(FIN | PING, bytes("ping 1"));
            p.send(0, slice(text, euro + 1, emoji + 2));
            p.send(FIN | PONG, bytes("unsolicited"));
            p.send(0, new byte[0]);
            p.send(FIN | PING, bytes("ping 2"));
            p.send(FIN, slice(text, emoji + 2, text.length));
            assertFrame(p.readFrame(), PONG, bytes("ping 1"));
            assertFrame(p.readFrame(), PONG, bytes("ping 2"));
            assertFrame(p.readFrame(), TEXT, text);
            // a binary message next, fragmented too: the first message's state is gone
            p.send(BINARY, new byte[] {1, 2});
            p.send(FIN | PING, new byte[0]);
            p.send(FIN, new byte[] {3});
            assertFrame(p.readFrame(), PONG, new byte[0]);
            assertFrame(p.readFrame(), BINARY, new byte[] {1, 2, 3});
            closeNormally(p);
        }
    }

    @Test
    void answersAPingOfThe125BytesAControlFrameMayHave() throws Exception {
        byte[] payload = new byte[125];
        ThreadLocalRandom.current().nextBytes(payload);
        try (WsEchoProcess p = WsEchoProcess.upgraded()) {
            p.send(FIN | PING, payload);
            assertFrame(p.readFrame(), PONG, payload);
            closeNormally(p);
        }
    }

    @Test
    void readsFramesSplitAtEveryByte() throws Exception {
        // one frame of each length encoding; the 64-bit one only has its header split (its payload is 64 KiB)
        byte[] small = utf8Text(20);
        byte[] medium = utf8Text(300);
        byte[] large = new byte[70_000];
        ThreadLocalRandom.current().nextBytes(large);
        try (WsEchoProcess p = WsEchoProcess.upgraded()) {
            sendByteByByte(p, RawWebSocket.frame(FIN | TEXT, small, true), Integer.MAX_VALUE);
            assertFrame(p.readFrame(), TEXT, small);
            sendByteByByte(p, RawWebSocket.frame(FIN | TEXT, medium, true), Integer.MAX_VALUE);
            assertFrame(p.readFrame(), TEXT, medium);
            byte[] frame = RawWebSocket.frame(FIN | BINARY, large, true);
            sendByteByByte(p, frame, 14);
            p.send(slice(frame, 14, frame.length));
            assertFrame(p.readFrame(), BINARY, large);
            closeNormally(p);
        }
    }

    /** Writes the first {@code upTo} bytes one by one, pausing so that each write reaches the script alone. */
    private static void sendByteByByte(WsEchoProcess p, byte[] frame, int upTo) throws Exception {
        for (int i = 0; i < Math.min(upTo, frame.length); i++) {
            p.send(new byte[] {frame[i]});
            Thread.sleep(1);
        }
    }

    @Test
    void readsSeveralFramesFromOneWrite() throws Exception {
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        for (int i = 0; i < 50; i++) {
            burst.writeBytes(RawWebSocket.frame(FIN | TEXT, bytes("message " + i), true));
            burst.writeBytes(RawWebSocket.frame(FIN | PING, bytes("ping " + i), true));
        }
        try (WsEchoProcess p = WsEchoProcess.upgraded()) {
            p.send(burst.toByteArray());
            for (int i = 0; i < 50; i++) {
                assertFrame(p.readFrame(), TEXT, bytes("message " + i));
                assertFrame(p.readFrame(), PONG, bytes("ping " + i));
            }
            closeNormally(p);
        }
    }

    @Test
    void theEndOfStdinEndsTheScriptQuietly() throws Exception {
        try (WsEchoProcess p = WsEchoProcess.upgraded()) {
            p.send(TEXT, bytes("half a message"));
            p.closeStdin();
            assertThat(p.readToEnd()).isEmpty();
            assertEndedCleanly(p);
        }
    }

    // --- closing ---

    @ParameterizedTest
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999})
    void echoesAValidCloseCode(int code) throws Exception {
        try (WsEchoProcess p = WsEchoProcess.upgraded()) {
            p.send(FIN | CLOSE, RawWebSocket.closePayload(code, "bye \u00e9"));
            assertFrame(p.readFrame(), CLOSE, RawWebSocket.closePayload(code, ""));
            assertThat(p.readToEnd()).isEmpty();
            assertEndedCleanly(p);
        }
    }

    @Test
    void answersAnEmptyCloseWithAnEmptyClose() throws Exception {
        try (WsEchoProcess p = WsEchoProcess.upgraded()) {
            p.send(FIN | CLOSE, new byte[0]);
            assertFrame(p.readFrame(), CLOSE, new byte[0]);
            assertThat(p.readToEnd()).isEmpty();
            assertEndedCleanly(p);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
    void refusesAnInvalidCloseCodeWith1002(int code) throws Exception {
        assertClosedWith(1002, RawWebSocket.frame(FIN | CLOSE, RawWebSocket.closePayload(code, ""), true));
    }

    // --- violations: each closes with its code, then the script ends ---

    static Stream<Arguments> violations() {
        byte[] mask = {1, 2, 3, 4};
        return Stream.of(
                violation("unmasked frame", 1002, RawWebSocket.frame(FIN | TEXT, bytes("x"), false)),
                violation("RSV1", 1002, RawWebSocket.frame(FIN | 0x40 | TEXT, bytes("x"), true)),
                violation("RSV2", 1002, RawWebSocket.frame(FIN | 0x20 | TEXT, bytes("x"), true)),
                violation("RSV3", 1002, RawWebSocket.frame(FIN | 0x10 | TEXT, bytes("x"), true)),
                violation("opcode 3", 1002, RawWebSocket.frame(FIN | 3, bytes("x"), true)),
                violation("opcode 7", 1002, RawWebSocket.frame(FIN | 7, bytes("x"), true)),
                violation("opcode 11", 1002, RawWebSocket.frame(FIN | 11, bytes("x"), true)),
                violation("opcode 15", 1002, RawWebSocket.frame(FIN | 15, bytes("x"), true)),
                violation("ping of 126 bytes", 1002, RawWebSocket.frame(FIN | PING, new byte[126], true)),
                violation("close of 126 bytes", 1002, RawWebSocket.frame(FIN | CLOSE,
                        RawWebSocket.closePayload(1000, "x".repeat(124)), true)),
                violation("fragmented ping", 1002, RawWebSocket.frame(PING, bytes("x"), true)),
                violation("fragmented close", 1002, RawWebSocket.frame(CLOSE, RawWebSocket.closePayload(1000, ""),
                        true)),
                violation("continuation without a message", 1002, RawWebSocket.frame(FIN, bytes("x"), true)),
                violation("text inside a fragmented message", 1002, concat(RawWebSocket.frame(TEXT, bytes("a"), true),
                        RawWebSocket.frame(FIN | TEXT, bytes("b"), true))),
                violation("binary inside a fragmented message", 1002, concat(
                        RawWebSocket.frame(BINARY, bytes("a"), true), RawWebSocket.frame(BINARY, bytes("b"), true))),
                violation("length with the top bit set", 1002, concat(new byte[] {(byte) (FIN | BINARY), (byte) 0xFF,
                        (byte) 0x80, 0, 0, 0, 0, 0, 0, 0}, mask)),
                violation("close of 1 byte", 1002, RawWebSocket.frame(FIN | CLOSE, new byte[] {3}, true)),
                violation("close reason not UTF-8", 1007, RawWebSocket.frame(FIN | CLOSE,
                        concat(RawWebSocket.closePayload(1000, ""), new byte[] {(byte) 0xC0, (byte) 0xAF}), true)),
                violation("close reason cut inside a sequence", 1007, RawWebSocket.frame(FIN | CLOSE,
                        concat(RawWebSocket.closePayload(1000, "ok"), new byte[] {(byte) 0xE2, (byte) 0x82}), true)),
                // The default limit (16 MiB + 1 KiB) is enforced on the header: no payload follows it here.
                violation("message over the default limit", 1009, concat(new byte[] {(byte) (FIN | BINARY),
                        (byte) 0xFF, 0, 0, 0, 0, 1, 0, 4, 1}, mask)));
    }

    private static Arguments violation(String name, int code, byte[] input) {
        return Arguments.of(name, code, input);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("violations")
    void closesAViolationWithItsCode(String name, int code, byte[] input) throws Exception {
        assertClosedWith(code, input);
    }

    static Stream<Arguments> invalidUtf8() {
        return Stream.of(
                Arguments.of("lone continuation byte", new byte[] {'a', (byte) 0x80}),
                Arguments.of("overlong '/' in 2 bytes", new byte[] {(byte) 0xC0, (byte) 0xAF}),
                Arguments.of("overlong '/' in 3 bytes", new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}),
                Arguments.of("overlong U+FFFF in 4 bytes", new byte[] {(byte) 0xF0, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF}),
                Arguments.of("surrogate U+D800", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
                Arguments.of("surrogate U+DFFF", new byte[] {(byte) 0xED, (byte) 0xBF, (byte) 0xBF}),
                Arguments.of("U+110000", new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}),
                Arguments.of("5-byte form", new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}),
                Arguments.of("byte 0xFE", new byte[] {'a', (byte) 0xFE}),
                Arguments.of("byte 0xFF", new byte[] {(byte) 0xFF}),
                Arguments.of("ends inside a sequence", new byte[] {'a', (byte) 0xF0, (byte) 0x9F, (byte) 0x98}),
                Arguments.of("sequence cut by ASCII", new byte[] {(byte) 0xE2, (byte) 0x82, 'a'}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidUtf8")
    void refusesInvalidUtf8TextWith1007(String name, byte[] text) throws Exception {
        assertClosedWith(1007, RawWebSocket.frame(FIN | TEXT, text, true));
    }

    @Test
    void acceptsTheEdgesOfUtf8() throws Exception {
        // U+0000, U+007F, U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFD, U+FFFF (a noncharacter, still valid),
        // U+10000, U+10FFFF
        byte[] edges = hex("00 7F C280 DFBF E0A080 ED9FBF EE8080 EFBFBD EFBFBF F0908080 F48FBFBF");
        assertEchoed(TEXT, edges);
    }

    @Test
    void failsInvalidUtf8AtTheFragmentBeforeTheMessageEnds() throws Exception {
        try (WsEchoProcess p = WsEchoProcess.upgraded()) {
            p.send(TEXT, bytes("valid start "));
            p.send(0, new byte[] {(byte) 0xED}); // a surrogate's lead byte: still a valid prefix
            p.send(0, new byte[] {(byte) 0xA0}); // now it is one; the message has not ended
            assertClosed(p, 1007);
        }
    }

    @Test
    void refusesAMessageOverTheConfiguredLimitWith1009() throws Exception {
        Map<String, String> limit = Map.of("WS_ECHO_MAX_MESSAGE", "1000");
        try (WsEchoProcess p = WsEchoProcess.upgraded(limit)) {
            p.send(FIN | BINARY, new byte[1000]);
            assertFrame(p.readFrame(), BINARY, new byte[1000]);
            p.send(FIN | BINARY, new byte[1001]);
            assertClosed(p, 1009);
        }
        try (WsEchoProcess p = WsEchoProcess.upgraded(limit)) {
            // the limit is on the message, not the frame
            p.send(TEXT, new byte[600]).send(FIN, new byte[401]);
            assertClosed(p, 1009);
        }
    }

    // --- helpers ---

    private static void assertClosedWith(int code, byte[] input) throws Exception {
        try (WsEchoProcess p = WsEchoProcess.upgraded()) {
            p.send(input);
            assertClosed(p, code);
        }
    }

    /** The script's next frame is a close with {@code code}, after which its output ends and it exits 0. */
    private static void assertClosed(WsEchoProcess p, int code) throws Exception {
        RawWebSocket.Frame close = p.readFrame();
        assertThat(close.opcode()).as("opcode of %s", close.text()).isEqualTo(CLOSE);
        assertThat(close.fin()).isTrue();
        assertThat(close.closeCode()).as("close code (reason: %s)", close.text()).isEqualTo(code);
        assertThat(p.readToEnd()).isEmpty();
        assertEndedCleanly(p);
    }

    private static void closeNormally(WsEchoProcess p) throws Exception {
        p.send(FIN | CLOSE, RawWebSocket.closePayload(1000, ""));
        assertClosed(p, 1000);
    }

    private static void assertEndedCleanly(WsEchoProcess p) throws Exception {
        assertThat(p.exitValue()).isZero();
        assertThat(p.stderr()).isEmpty();
    }

    private static void assertFrame(RawWebSocket.Frame f, int opcode, byte[] payload) {
        assertThat(f.fin()).isTrue();
        assertThat(f.b0() & 0x70).as("reserved bits").isZero();
        assertThat(f.opcode()).isEqualTo(opcode);
        assertThat(f.payload()).isEqualTo(payload);
    }

    /** Exactly {@code size} bytes of UTF-8 with 1-, 2-, 3- and 4-byte characters, padded with ASCII. */
    static byte[] utf8Text(int size) {
        byte[] unit = "a\u00e9\u20ac\uD83D\uDE00".getBytes(StandardCharsets.UTF_8); // 1 + 2 + 3 + 4 bytes
        byte[] out = new byte[size];
        int i = 0;
        for (; i + unit.length <= size; i += unit.length) {
            System.arraycopy(unit, 0, out, i, unit.length);
        }
        for (; i < size; i++) {
            out[i] = 'z';
        }
        return out;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] slice(byte[] a, int from, int to) {
        return java.util.Arrays.copyOfRange(a, from, to);
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        throw new IllegalArgumentException("no byte " + b);
    }

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s.replace(" ", ""));
    }
}
