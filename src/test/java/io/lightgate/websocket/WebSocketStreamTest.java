package io.lightgate.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link WebSocketStream} over real sockets: a raw client sends exact frame bytes to mod_wstest (which echoes
 * through the stream) and reads the server's frames as they are on the wire.
 */
@ExtendWith(LeakGuard.class)
class WebSocketStreamTest {
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(WebSocketTestModule.CONFIG, WebSocketTestModule.registry());
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
    }

    private static RawWebSocket open(String target) throws IOException {
        return RawWebSocket.open(server.port(), target);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Sends {@code frames} and expects CLOSE {@code code}, then the server's close of the connection. */
    private static void expectFailure(int code, byte[]... frames) throws IOException {
        try (RawWebSocket ws = open("/ws/echo")) {
            for (byte[] f : frames) {
                ws.send(f);
            }
            assertThat(ws.readClose()).isEqualTo(code);
            assertThat(ws.closedByServer()).isTrue();
        }
    }

    // ---- data ----

    @Test
    void echoesATextMessageAsOneTextFrame() throws IOException {
        try (RawWebSocket ws = open("/ws/echo")) {
            ws.sendText("hello, wörld");
            RawWebSocket.Frame f = ws.read();
            assertThat(f.opcode()).isEqualTo(Opcode.TEXT);
            assertThat(f.fin()).isTrue();
            assertThat(f.masked()).isFalse();
            assertThat(f.text()).isEqualTo("hello, wörld");
        }
    }

    @Test
    void binaryModeSendsBinaryFrames() throws IOException {
        try (RawWebSocket ws = open("/ws/echo?binary")) {
            ws.sendText("abc");
            RawWebSocket.Frame f = ws.read();
            assertThat(f.opcode()).isEqualTo(Opcode.BINARY);
            assertThat(f.text()).isEqualTo("abc");
        }
    }

    @Test
    void largeMessagesUseExtendedLengthsAndArriveWhole() throws IOException {
        byte[] big = new byte[200_000];
        Arrays.fill(big, (byte) 'x');
        try (RawWebSocket ws = open("/ws/echo?binary")) {
            ws.send(0x82, Arrays.copyOf(big, 300));
            assertThat(ws.read().payload()).hasSize(300);
            ws.send(0x82, big);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            while (got.size() < big.length) {
                RawWebSocket.Frame f = ws.read();
                assertThat(f.opcode()).isEqualTo(Opcode.BINARY);
                got.writeBytes(f.payload());
            }
            assertThat(got.toByteArray()).isEqualTo(big);
        }
    }

    @Test
    void fragmentedMessagePayloadIsPassedOnAsItArrives() throws IOException {
        try (RawWebSocket ws = open("/ws/echo")) {
            ws.send(0x01, utf8("frag"));     // TEXT, not FIN
            assertThat(ws.read().text()).isEqualTo("frag");
            ws.send(0x89, utf8("p"));        // a PING in the middle of the message is fine
            assertThat(ws.read().opcode()).isEqualTo(Opcode.PONG);
            ws.send(0x80, utf8("ment"));     // CONTINUATION, FIN
            assertThat(ws.read().text()).isEqualTo("ment");
        }
    }

    @Test
    void framesSplitAcrossReadsAtEveryByteAreDecoded() throws Exception {
        byte[] payload = new byte[300];
        Arrays.fill(payload, (byte) 'z');
        byte[] stream = concat(RawWebSocket.frame(0x81, utf8("one"), true),
                RawWebSocket.frame(0x89, utf8("pp"), true),
                RawWebSocket.frame(0x82, payload, true),
                RawWebSocket.frame(0x8A, utf8("pong"), true),
                RawWebSocket.frame(0x81, utf8("two"), true));
        try (RawWebSocket ws = open("/ws/echo")) {
            ws.socket.setTcpNoDelay(true);
            for (byte b : stream) {
                ws.send(new byte[] {b});
                Thread.sleep(1);
            }
            // Payload is passed on as it arrives, so the echo comes in pieces; the PONG answers in between.
            ByteArrayOutputStream echoed = new ByteArrayOutputStream();
            int pongs = 0;
            while (echoed.size() < 3 + 300 + 3) {
                RawWebSocket.Frame f = ws.read();
                if (f.opcode() == Opcode.PONG) {
                    assertThat(f.text()).isEqualTo("pp");
                    assertThat(echoed.toString(StandardCharsets.UTF_8)).isEqualTo("one");
                    pongs++;
                } else {
                    assertThat(f.opcode()).isEqualTo(Opcode.TEXT);
                    echoed.writeBytes(f.payload());
                }
            }
            assertThat(pongs).isEqualTo(1);
            assertThat(echoed.toString(StandardCharsets.UTF_8)).isEqualTo("one" + "z".repeat(300) + "two");
        }
    }

    // ---- protocol violations: 1002 ----

    @Test
    void unmaskedClientFrameIs1002() throws IOException {
        expectFailure(1002, RawWebSocket.frame(0x81, utf8("x"), false));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x40, 0x20, 0x10})
    void rsvBitsAre1002(int rsv) throws IOException {
        expectFailure(1002, RawWebSocket.frame(0x81 | rsv, utf8("x"), true));
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
    void reservedOpcodesAre1002(int opcode) throws IOException {
        expectFailure(1002, RawWebSocket.frame(0x80 | opcode, new byte[0], true));
    }

    @Test
    void controlFrameOver125BytesIs1002() throws IOException {
        expectFailure(1002, RawWebSocket.frame(0x89, new byte[126], true));
    }

    @Test
    void fragmentedControlFrameIs1002() throws IOException {
        expectFailure(1002, RawWebSocket.frame(0x09, utf8("p"), true));
    }

    @Test
    void continuationWithoutAMessageIs1002() throws IOException {
        expectFailure(1002, RawWebSocket.frame(0x80, utf8("x"), true));
    }

    @Test
    void newDataFrameInsideAFragmentedMessageIs1002() throws IOException {
        try (RawWebSocket ws = open("/ws/echo")) {
            ws.send(0x01, utf8("a"));
            assertThat(ws.read().text()).isEqualTo("a");
            ws.send(0x82, utf8("b"));
            assertThat(ws.readClose()).isEqualTo(1002);
            assertThat(ws.closedByServer()).isTrue();
        }
    }

    @Test
    void sixtyFourBitLengthWithTheTopBitSetIs1002() throws IOException {
        byte[] header = {(byte) 0x82, (byte) (0x80 | 127), (byte) 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};
        expectFailure(1002, header);
    }

    // ---- UTF-8: 1007 ----

    @Test
    void invalidUtf8InATextFrameIs1007() throws IOException {
        expectFailure(1007, RawWebSocket.frame(0x81, new byte[] {'a', (byte) 0xC0, (byte) 0xAF}, true));
    }

    @Test
    void invalidUtf8SplitAcrossFragmentsIs1007() throws IOException {
        try (RawWebSocket ws = open("/ws/echo?binary")) {
            ws.send(0x01, new byte[] {'o', 'k', (byte) 0xE2, (byte) 0x82}); // "ok" + the start of '€'
            assertThat(ws.read().payload()).containsExactly('o', 'k', 0xE2, 0x82);
            ws.send(0x80, new byte[] {'x'});                               // not the continuation byte
            assertThat(ws.readClose()).isEqualTo(1007);
            assertThat(ws.closedByServer()).isTrue();
        }
    }

    @Test
    void textMessageEndingInsideASequenceIs1007() throws IOException {
        try (RawWebSocket ws = open("/ws/echo?binary")) {
            ws.send(0x81, new byte[] {'a', (byte) 0xE2, (byte) 0x82});
            // The bytes were valid as they arrived and went on; the end of the message is what fails.
            assertThat(ws.read().payload()).containsExactly('a', 0xE2, 0x82);
            assertThat(ws.readClose()).isEqualTo(1007);
            assertThat(ws.closedByServer()).isTrue();
        }
    }

    // ---- close ----

    @ParameterizedTest
    @ValueSource(ints = {999, 1004, 1005, 1006, 1015, 2999, 5000})
    void invalidCloseCodeIs1002(int code) throws IOException {
        expectFailure(1002, RawWebSocket.frame(0x88, RawWebSocket.closePayload(code, ""), true));
    }

    @Test
    void closePayloadOfOneByteIs1002() throws IOException {
        expectFailure(1002, RawWebSocket.frame(0x88, new byte[] {3}, true));
    }

    @Test
    void closeReasonThatIsNotUtf8Is1007() throws IOException {
        byte[] payload = {0x03, (byte) 0xE8, (byte) 0xFF};
        expectFailure(1007, RawWebSocket.frame(0x88, payload, true));
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 1001, 1003, 3000, 4999})
    void clientCloseIsEchoedWithItsCode(int code) throws IOException {
        try (RawWebSocket ws = open("/ws/echo")) {
            ws.send(0x88, RawWebSocket.closePayload(code, "bye now"));
            RawWebSocket.Frame f = ws.read();
            assertThat(f.opcode()).isEqualTo(Opcode.CLOSE);
            assertThat(f.payload()).as("the code only").hasSize(2);
            assertThat(f.closeCode()).isEqualTo(code);
            assertThat(ws.closedByServer()).isTrue();
        }
    }

    @Test
    void emptyCloseIsAnsweredWithEmptyClose() throws IOException {
        try (RawWebSocket ws = open("/ws/echo")) {
            ws.send(0x88, new byte[0]);
            assertThat(ws.readClose()).isEqualTo(-1);
            assertThat(ws.closedByServer()).isTrue();
        }
    }

    // ---- ping / pong ----

    @Test
    void pingIsAnsweredWithPongOfTheSamePayloadAndPongIsIgnored() throws IOException {
        try (RawWebSocket ws = open("/ws/echo")) {
            byte[] payload = new byte[125];
            Arrays.fill(payload, (byte) 0xA5);
            ws.send(0x89, payload);
            RawWebSocket.Frame pong = ws.read();
            assertThat(pong.opcode()).isEqualTo(Opcode.PONG);
            assertThat(pong.payload()).isEqualTo(payload);
            ws.send(0x8A, utf8("unsolicited"));
            ws.send(0x89, new byte[0]);
            RawWebSocket.Frame empty = ws.read();
            assertThat(empty.opcode()).as("no answer to the PONG").isEqualTo(Opcode.PONG);
            assertThat(empty.payload()).isEmpty();
        }
    }

    @Test
    void pingIntervalSendsPingWithPayloadPing() throws IOException {
        try (RawWebSocket ws = open("/ws/echo?ping=1")) {
            long start = System.nanoTime();
            RawWebSocket.Frame f = ws.read();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(f.opcode()).isEqualTo(Opcode.PING);
            assertThat(f.text()).isEqualTo("ping");
            assertThat(ms).isBetween(700L, 2500L);
            assertThat(ws.read().opcode()).as("and again").isEqualTo(Opcode.PING);
        }
    }

    // ---- ends ----

    @Test
    void endOfOutputSendsClose1001AndClosesWhenTheClientAnswers() throws IOException {
        try (RawWebSocket ws = open("/ws/end")) {
            ws.sendText("last");
            assertThat(ws.read().text()).isEqualTo("last");
            assertThat(ws.readClose()).isEqualTo(1001);
            ws.send(0x88, RawWebSocket.closePayload(1001, ""));
            assertThat(ws.closedByServer()).isTrue();
        }
    }

    @Test
    void endOfOutputHalfClosesThenClosesAfterTheLingerWhenTheClientNeverAnswers() throws Exception {
        try (RawWebSocket ws = open("/ws/end?linger=400")) {
            ws.sendText("x");
            ws.read();
            assertThat(ws.readClose()).isEqualTo(1001);
            assertThat(ws.closedByServer()).as("write side shut down after the CLOSE").isTrue();
            long start = System.nanoTime();
            // The server still reads (and discards) during the linger; once it has closed, writes fail (RST).
            long closedAfter = -1;
            for (int i = 0; i < 100 && closedAfter < 0; i++) {
                try {
                    ws.send(0x8A, utf8("still here"));
                    Thread.sleep(20);
                } catch (IOException e) {
                    closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                }
            }
            assertThat(closedAfter).isBetween(300L, 1500L);
        }
    }

    @Test
    void abnormalEndSendsClose1011() throws IOException {
        try (RawWebSocket ws = open("/ws/abort")) {
            ws.sendText("boom");
            assertThat(ws.readClose()).isEqualTo(1011);
            assertThat(ws.closedByServer()).isTrue();
        }
    }

    @Test
    void clientFinWithoutCloseEndsTheStream() throws IOException {
        try (RawWebSocket ws = open("/ws/echo")) {
            ws.sendText("a");
            assertThat(ws.read().text()).isEqualTo("a");
            ws.socket.shutdownOutput();
            // mod_wstest ends its output at end of input: CLOSE 1001, then the close.
            assertThat(ws.readClose()).isEqualTo(1001);
            assertThat(ws.closedByServer()).isTrue();
        }
    }

    // ---- text mode output ----

    @Test
    void textModeNeverSplitsAUtf8SequenceAcrossFrames() throws IOException {
        String text = "aé€𝄞z€€";
        byte[] bytes = utf8(text);
        try (RawWebSocket ws = open("/ws/echo?split")) {
            ws.sendText(text);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            int frames = 0;
            while (got.size() < bytes.length) {
                RawWebSocket.Frame f = ws.read();
                assertThat(f.opcode()).isEqualTo(Opcode.TEXT);
                assertThat(f.fin()).isTrue();
                assertValidUtf8(f.payload());
                got.writeBytes(f.payload());
                frames++;
            }
            assertThat(got.toString(StandardCharsets.UTF_8)).isEqualTo(text);
            assertThat(frames).as("one frame per complete character").isEqualTo(text.codePointCount(0, text.length()));
        }
    }

    @Test
    void outputThatIsNotUtf8GoesOutAsBinaryAndIsLoggedOnce() throws Exception {
        int before = server.errorLines("mod_wstest").size();
        try (RawWebSocket ws = open("/ws/echo")) {
            ws.send(0x82, new byte[] {'a', (byte) 0xFF, 'b'});
            RawWebSocket.Frame f = ws.read();
            assertThat(f.opcode()).isEqualTo(Opcode.BINARY);
            assertThat(f.payload()).containsExactly('a', 0xFF, 'b');
            ws.send(0x82, new byte[] {(byte) 0xC0});
            assertThat(ws.read().opcode()).isEqualTo(Opcode.BINARY);
            ws.sendText("fine again");
            RawWebSocket.Frame text = ws.read();
            assertThat(text.opcode()).isEqualTo(Opcode.TEXT);
            assertThat(text.text()).isEqualTo("fine again");
        }
        assertThat(server.errorLines("mod_wstest").size() - before).isEqualTo(1);
    }

    @Test
    void heldSequenceThatNeverCompletesGoesOutAsBinaryBeforeTheClose() throws IOException {
        try (RawWebSocket ws = open("/ws/end")) {
            ws.send(0x82, new byte[] {'o', 'k', (byte) 0xF0, (byte) 0x9D}); // half of a 4-byte sequence
            RawWebSocket.Frame ok = ws.read();
            assertThat(ok.opcode()).isEqualTo(Opcode.TEXT);
            assertThat(ok.text()).isEqualTo("ok");
            RawWebSocket.Frame rest = ws.read();
            assertThat(rest.opcode()).isEqualTo(Opcode.BINARY);
            assertThat(rest.payload()).containsExactly(0xF0, 0x9D);
            assertThat(ws.readClose()).isEqualTo(1001);
        }
    }

    // ---- back-pressure ----

    @Test
    void aClientThatDoesNotReadLosesNothing() throws Exception {
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) ('a' + i % 26);
        }
        int rounds = 128; // 8 MiB, far more than the socket buffers hold
        try (RawWebSocket ws = open("/ws/echo?binary")) {
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < rounds; i++) {
                        ws.send(0x82, chunk);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(500);
            assertThat(sent).as("the server stopped reading a client that does not read").isNotDone();
            long total = 0;
            while (total < (long) rounds * chunk.length) {
                RawWebSocket.Frame f = ws.read();
                for (int i = 0; i < f.payload().length; i++) {
                    if (f.payload()[i] != chunk[(int) ((total + i) % chunk.length)]) {
                        throw new AssertionError("byte " + (total + i) + " differs");
                    }
                }
                total += f.payload().length;
            }
            sent.get(10, TimeUnit.SECONDS);
            assertThat(total).isEqualTo((long) rounds * chunk.length);
        }
    }

    // ---- read idle ----

    @Test
    void silentClientGetsClose1001OneSecondBeforeMaxReadIdleAndPongsCountAsReads() throws Exception {
        try (TestServer idle = TestServer.start(WebSocketTestModule.CONFIG + "server.max-read-idle = 3\n",
                WebSocketTestModule.registry());
             RawWebSocket ws = RawWebSocket.open(idle.port(), "/ws/echo")) {
            for (int i = 0; i < 4; i++) {
                Thread.sleep(1000);
                ws.send(0x8A, utf8("pong"));
            }
            long start = System.nanoTime();
            assertThat(ws.readClose()).isEqualTo(1001);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(ms).as("2 s after the last read, not 3").isBetween(1500L, 2700L);
            assertThat(ws.closedByServer()).isTrue();
        }
    }

    private static void assertValidUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw new AssertionError("frame is not valid UTF-8: " + Arrays.toString(bytes), e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
