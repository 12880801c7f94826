package io.lightgate.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameDecoderTest {

    /** Records events as text and payload bytes; releases everything it is given. */
    static final class Recorder implements FrameDecoder.Listener {
        final List<String> events = new ArrayList<>();
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        int violation;

        public void onDataFrameStart(int messageOpcode, boolean first, boolean fin, long length) {
            events.add("start op=" + messageOpcode + " first=" + first + " fin=" + fin + " len=" + length);
        }
        public void onData(ByteBuf payload) {
            byte[] b = ByteBufUtil.getBytes(payload);
            data.writeBytes(b);
            payload.release();
        }
        public void onDataFrameEnd(boolean endOfMessage) {
            events.add("end eom=" + endOfMessage);
        }
        public void onControlFrame(int opcode, ByteBuf payload) {
            events.add("control op=" + opcode + " " + ByteBufUtil.hexDump(payload));
            payload.release();
        }
        public void onViolation(int closeCode, String reason) {
            violation = closeCode;
            events.add("violation " + closeCode + " " + reason);
        }
    }

    static byte[] frame(int b0, byte[] payload, boolean mask, int maskKey) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b0);
        int m = mask ? 0x80 : 0;
        int n = payload.length;
        if (n < 126) {
            out.write(m | n);
        } else if (n <= 0xFFFF) {
            out.write(m | 126);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(m | 127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) ((long) n >> (8 * i)));
            }
        }
        byte[] key = {(byte) (maskKey >> 24), (byte) (maskKey >> 16), (byte) (maskKey >> 8), (byte) maskKey};
        if (mask) {
            out.writeBytes(key);
        }
        for (int i = 0; i < n; i++) {
            out.write(mask ? payload[i] ^ key[i & 3] : payload[i]);
        }
        return out.toByteArray();
    }

    static byte[] masked(int b0, byte[] payload) {
        return frame(b0, payload, true, 0x37fa213d);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Feeds {@code bytes} in chunks of {@code chunk}, cumulating unread bytes like ByteToMessageDecoder. */
    static Recorder decode(byte[] bytes, int chunk, boolean expectMasked) {
        return decode(bytes, chunk, expectMasked, Unpooled.buffer());
    }

    /** The same into {@code cumulation} (heap or direct: long payloads are unmasked through a NIO view). */
    static Recorder decode(byte[] bytes, int chunk, boolean expectMasked, ByteBuf cumulation) {
        FrameDecoder decoder = new FrameDecoder(expectMasked);
        Recorder r = new Recorder();
        try {
            for (int i = 0; i < bytes.length; i += chunk) {
                cumulation.writeBytes(bytes, i, Math.min(chunk, bytes.length - i));
                decoder.decode(cumulation, r);
                cumulation.discardReadBytes();
            }
        } finally {
            cumulation.release();
        }
        return r;
    }

    static Recorder decode(byte[] bytes) {
        return decode(bytes, bytes.length == 0 ? 1 : bytes.length, true);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 63, 64, 65, 999, 4096, 70_000})
    void directBuffersSplitAnywhereGiveTheSameTextPayload(int chunk) {
        // Multi-byte characters and every mask phase across read boundaries, in direct memory as from a socket.
        StringBuilder text = new StringBuilder();
        Random random = new Random(chunk);
        while (text.length() < 20_000) {
            text.append(random.nextInt(5) == 0 ? "\u00e9\u20ac\ud83d\ude00" : "plain ascii words ");
        }
        byte[] payload = text.toString().getBytes(StandardCharsets.UTF_8);
        byte[] wire = concat(frame(0x01, java.util.Arrays.copyOf(payload, 777), true, 0x01020304),
                frame(0x80, java.util.Arrays.copyOfRange(payload, 777, payload.length), true, 0xa1b2c3d4));
        Recorder r = decode(wire, chunk, true, Unpooled.directBuffer());
        assertThat(r.violation).isZero();
        assertThat(r.data.toByteArray()).isEqualTo(payload);
    }

    @Test
    void invalidUtf8DeepInALongDirectFrameIs1007() {
        byte[] payload = new byte[5000];
        java.util.Arrays.fill(payload, (byte) 'a');
        payload[4321] = (byte) 0xC0; // an overlong lead byte after thousands of ASCII bytes
        Recorder r = decode(masked(0x81, payload), 5014, true, Unpooled.directBuffer());
        assertThat(r.violation).isEqualTo(CloseStatus.INVALID_PAYLOAD);
    }

    @Test
    void maskedTextFrameIsUnmasked() {
        byte[] hello = "Hello".getBytes(StandardCharsets.UTF_8);
        Recorder r = decode(masked(0x81, hello));
        assertThat(r.events).containsExactly("start op=1 first=true fin=true len=5", "end eom=true");
        assertThat(r.data.toByteArray()).isEqualTo(hello);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 13, 1000})
    void anySplitGivesTheSamePayload(int chunk) {
        byte[] payload = new byte[70_000];
        new Random(1).nextBytes(payload);
        byte[] wire = concat(masked(0x02, payload), masked(0x89, "p".getBytes(StandardCharsets.US_ASCII)),
                masked(0x80, new byte[] {1, 2, 3}));
        Recorder r = decode(wire, chunk, true);
        assertThat(r.violation).isZero();
        assertThat(r.data.toByteArray()).isEqualTo(concat(payload, new byte[] {1, 2, 3}));
        assertThat(r.events).contains("control op=9 70", "end eom=true");
        assertThat(r.events.getFirst()).isEqualTo("start op=2 first=true fin=false len=70000");
    }

    @Test
    void emptyFramesAndLengthEncodings() {
        Recorder r = decode(concat(masked(0x81, new byte[0]), masked(0x82, new byte[126]), masked(0x82, new byte[65536])));
        assertThat(r.violation).isZero();
        assertThat(r.events).containsExactly(
                "start op=1 first=true fin=true len=0", "end eom=true",
                "start op=2 first=true fin=true len=126", "end eom=true",
                "start op=2 first=true fin=true len=65536", "end eom=true");
    }

    @Test
    void lighttpdsBit11LengthBugIsNotCopied() {
        // lighttpd 1.4.83-1.4.85 rejects 16-bit lengths with bit 11 set (reference §3.4).
        Recorder r = decode(masked(0x81, "x".repeat(3000).getBytes(StandardCharsets.US_ASCII)));
        assertThat(r.violation).isZero();
        assertThat(r.data.size()).isEqualTo(3000);
    }

    @Test
    void unmaskedClientFrameIs1002() {
        assertThat(decode(frame(0x81, "a".getBytes(StandardCharsets.US_ASCII), false, 0)).violation).isEqualTo(1002);
    }

    @Test
    void maskedServerFrameIsRefusedByAClient() {
        assertThat(decode(masked(0x81, new byte[] {'a'}), 100, false).violation).isEqualTo(1002);
    }

    @ParameterizedTest
    @ValueSource(ints = {0xC1, 0xA1, 0x91})
    void rsvBitsAre1002(int b0) {
        assertThat(decode(masked(b0, new byte[] {'a'})).violation).isEqualTo(1002);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x83, 0x84, 0x85, 0x86, 0x87, 0x8B, 0x8C, 0x8D, 0x8E, 0x8F})
    void reservedOpcodesAre1002(int b0) {
        assertThat(decode(masked(b0, new byte[0])).violation).isEqualTo(1002);
    }

    @Test
    void controlFrameRules() {
        assertThat(decode(masked(0x89, new byte[126])).violation).as("ping of 126 bytes").isEqualTo(1002);
        assertThat(decode(masked(0x09, new byte[1])).violation).as("fragmented ping").isEqualTo(1002);
        Recorder ok = decode(masked(0x89, new byte[125]));
        assertThat(ok.violation).isZero();
    }

    @Test
    void continuationRules() {
        assertThat(decode(masked(0x80, new byte[1])).violation).as("continuation without a start").isEqualTo(1002);
        assertThat(decode(concat(masked(0x01, new byte[] {'a'}), masked(0x81, new byte[] {'b'}))).violation)
                .as("new text inside a fragmented message").isEqualTo(1002);
        Recorder ok = decode(concat(masked(0x01, new byte[] {'a'}), masked(0x89, new byte[0]),
                masked(0x80, new byte[] {'b'})));
        assertThat(ok.violation).as("ping between fragments is fine").isZero();
        assertThat(ok.events).containsExactly("start op=1 first=true fin=false len=1", "end eom=false",
                "control op=9 ", "start op=1 first=false fin=true len=1", "end eom=true");
    }

    @Test
    void sixtyFourBitLengthWithTopBitIs1002() {
        byte[] wire = {(byte) 0x82, (byte) (0x80 | 127), (byte) 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};
        assertThat(decode(wire).violation).isEqualTo(1002);
    }

    @Test
    void invalidUtf8FailsFastWith1007() {
        byte[] bad = {'o', 'k', (byte) 0xC0, (byte) 0x80};
        Recorder r = decode(masked(0x81, bad));
        assertThat(r.violation).isEqualTo(1007);
        assertThat(r.events).noneMatch(e -> e.startsWith("end"));
    }

    @Test
    void utf8IsCheckedAcrossFragments() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // E2 82 AC split over two fragments
        Recorder ok = decode(concat(masked(0x01, new byte[] {euro[0], euro[1]}), masked(0x80, new byte[] {euro[2]})));
        assertThat(ok.violation).isZero();
        Recorder truncated = decode(masked(0x81, new byte[] {euro[0], euro[1]}));
        assertThat(truncated.violation).as("message ends inside a sequence").isEqualTo(1007);
        Recorder binary = decode(masked(0x82, new byte[] {(byte) 0xFF}));
        assertThat(binary.violation).as("binary is not UTF-8 checked").isZero();
    }

    @Test
    void closePayloadRules() {
        assertThat(decode(masked(0x88, new byte[0])).violation).isZero();
        assertThat(decode(masked(0x88, new byte[] {3})).violation).as("one byte").isEqualTo(1002);
        assertThat(decode(masked(0x88, new byte[] {0x03, (byte) 0xE8})).violation).as("1000").isZero();
        for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
            assertThat(decode(masked(0x88, new byte[] {(byte) (code >> 8), (byte) code})).violation)
                    .as("code %d", code).isEqualTo(1002);
        }
        for (int code : new int[] {1001, 1003, 1007, 1011, 1014, 3000, 4999}) {
            assertThat(decode(masked(0x88, new byte[] {(byte) (code >> 8), (byte) code})).violation)
                    .as("code %d", code).isZero();
        }
        assertThat(decode(masked(0x88, new byte[] {0x03, (byte) 0xE8, (byte) 0xFF})).violation)
                .as("reason not UTF-8").isEqualTo(1007);
    }

    @Test
    void randomInputNeverThrowsAndNeverLeaks() {
        Random random = new Random(42);
        for (int round = 0; round < 20_000; round++) {
            byte[] soup = new byte[random.nextInt(64)];
            random.nextBytes(soup);
            if (soup.length > 1 && random.nextBoolean()) {
                soup[1] |= (byte) 0x80; // mostly masked, so decoding goes deeper
                soup[0] &= (byte) 0x8F;
            }
            Recorder r = decode(soup, 1 + random.nextInt(8), true);
            assertThat(r.events).isNotNull();
        }
    }
}
