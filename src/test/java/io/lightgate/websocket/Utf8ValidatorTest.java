package io.lightgate.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8ValidatorTest {

    static boolean valid(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        Utf8Validator v = new Utf8Validator();
        return v.feed(b, 0, b.length) && v.isComplete();
    }

    @Test
    void boundaries() {
        assertThat(valid(0x7F)).isTrue();
        assertThat(valid(0xC2, 0x80)).isTrue();
        assertThat(valid(0xC1, 0xBF)).as("overlong").isFalse();
        assertThat(valid(0xE0, 0xA0, 0x80)).isTrue();
        assertThat(valid(0xE0, 0x9F, 0xBF)).as("overlong").isFalse();
        assertThat(valid(0xED, 0x9F, 0xBF)).isTrue();
        assertThat(valid(0xED, 0xA0, 0x80)).as("surrogate").isFalse();
        assertThat(valid(0xF0, 0x90, 0x80, 0x80)).isTrue();
        assertThat(valid(0xF0, 0x8F, 0xBF, 0xBF)).as("overlong").isFalse();
        assertThat(valid(0xF4, 0x8F, 0xBF, 0xBF)).isTrue();
        assertThat(valid(0xF4, 0x90, 0x80, 0x80)).as("above U+10FFFF").isFalse();
        assertThat(valid(0xF5, 0x80, 0x80, 0x80)).isFalse();
        assertThat(valid(0x80)).as("lone continuation").isFalse();
        assertThat(valid(0xE2, 0x82)).as("truncated").isFalse();
    }

    @Test
    void agreesWithTheJdkDecoderOnRandomInputSplitAnywhere() {
        Random random = new Random(7);
        for (int round = 0; round < 50_000; round++) {
            byte[] b = new byte[random.nextInt(12)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(128) : 0x80 + random.nextInt(128));
            }
            boolean jdk;
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b));
                jdk = true;
            } catch (CharacterCodingException e) {
                jdk = false;
            }
            Utf8Validator v = new Utf8Validator();
            int split = b.length == 0 ? 0 : random.nextInt(b.length);
            boolean ours = v.feed(b, 0, split) && v.feed(b, split, b.length - split) && v.isComplete();
            assertThat(ours).as("bytes %s", java.util.HexFormat.of().formatHex(b)).isEqualTo(jdk);
        }
    }

    @Test
    void longBuffersAgreeWithTheJdkDecoderSplitAnywhere() {
        // Inputs of 64 bytes and more are read through a NIO view: mostly ASCII with a rare other byte.
        Random random = new Random(11);
        for (int round = 0; round < 5_000; round++) {
            byte[] b = new byte[64 + random.nextInt(300)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (random.nextInt(40) == 0 ? 0x80 + random.nextInt(128) : 0x20 + random.nextInt(90));
            }
            if (random.nextBoolean()) {
                byte[] euro = "\u20ac".getBytes(StandardCharsets.UTF_8);
                System.arraycopy(euro, 0, b, random.nextInt(b.length - 3), 3);
            }
            boolean jdk;
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b));
                jdk = true;
            } catch (CharacterCodingException e) {
                jdk = false;
            }
            io.netty.buffer.ByteBuf buf = random.nextBoolean() ? io.netty.buffer.Unpooled.directBuffer(b.length + 3)
                    : io.netty.buffer.Unpooled.buffer(b.length + 3);
            try {
                buf.writeBytes(new byte[3]).writeBytes(b); // not at index 0
                Utf8Validator v = new Utf8Validator();
                int split = random.nextInt(b.length);
                boolean ours = v.feed(buf, 3, split) && v.feed(buf, 3 + split, b.length - split) && v.isComplete();
                assertThat(ours).as("bytes %s", java.util.HexFormat.of().formatHex(b)).isEqualTo(jdk);
            } finally {
                buf.release();
            }
        }
    }
}
