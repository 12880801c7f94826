package io.lightgate.modules.scgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.SequencedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakGuard.class)
class ScgiCodecTest {

    static SequencedMap<String, String> env(String... pairs) {
        SequencedMap<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    static byte[] encode(SequencedMap<String, String> env) {
        EncodedHead result = ScgiCodec.encodeHead(env, ByteBufAllocator.DEFAULT);
        assertThat(result).isInstanceOf(EncodedHead.Encoded.class);
        ByteBuf head = ((EncodedHead.Encoded) result).head();
        byte[] bytes = new byte[head.readableBytes()];
        head.readBytes(bytes);
        head.release();
        return bytes;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static HeadDecoding decodeWhole(String input) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes(input));
        try {
            return new ScgiHeadDecoder().decode(in);
        } finally {
            in.release();
        }
    }

    static String malformed(String input) {
        HeadDecoding result = decodeWhole(input);
        assertThat(result).isInstanceOf(HeadDecoding.Malformed.class);
        return ((HeadDecoding.Malformed) result).why();
    }

    @Test
    void encodesContentLengthFirstAndScgiLastAsLighttpdDoes() {
        byte[] head = encode(env("REQUEST_METHOD", "POST", "CONTENT_LENGTH", "27", "SCGI", "x", "REQUEST_URI", "/d\u00e9"));
        assertThat(head).isEqualTo(bytes("61:CONTENT_LENGTH\u000027\u0000REQUEST_METHOD\u0000POST\u0000"
                + "REQUEST_URI\u0000/d\u00e9\u0000SCGI\u00001\u0000,"));
        assertThat(new String(head, 0, 2, StandardCharsets.ISO_8859_1)).isEqualTo(String.valueOf(head.length - 4));
    }

    @Test
    void encodesEmptyValues() {
        assertThat(encode(env("CONTENT_LENGTH", "0", "QUERY_STRING", ""))).isEqualTo(
                bytes("38:CONTENT_LENGTH\u00000\u0000QUERY_STRING\u0000\u0000SCGI\u00001\u0000,"));
    }

    @Test
    void refusesWhatCannotBeEncoded() {
        assertThat(ScgiCodec.encodeHead(env("QUERY_STRING", ""), ByteBufAllocator.DEFAULT))
                .isEqualTo(new EncodedHead.Refused(false, "SCGI needs a decimal CONTENT_LENGTH"));
        assertThat(ScgiCodec.encodeHead(env("CONTENT_LENGTH", "-1"), ByteBufAllocator.DEFAULT))
                .isInstanceOf(EncodedHead.Refused.class);
        for (SequencedMap<String, String> bad : java.util.List.of(env("CONTENT_LENGTH", "0", "", "v"),
                env("CONTENT_LENGTH", "0", "A\u0000B", "v"), env("CONTENT_LENGTH", "0", "A", "v\u0000"),
                env("CONTENT_LENGTH", "0", "A", "\u20ac"))) {
            EncodedHead result = ScgiCodec.encodeHead(bad, ByteBufAllocator.DEFAULT);
            assertThat(result).isInstanceOf(EncodedHead.Refused.class);
            assertThat(((EncodedHead.Refused) result).tooLarge()).isFalse();
        }
    }

    @Test
    void decodesAHeadAndLeavesTheBodyUntouched() {
        ByteBuf in = Unpooled.wrappedBuffer(bytes(
                "24:CONTENT_LENGTH\u00005\u0000SCGI\u00001\u0000,hello"));
        HeadDecoding result = new ScgiHeadDecoder().decode(in);
        assertThat(result).isInstanceOf(HeadDecoding.Decoded.class);
        GatewayHead head = ((HeadDecoding.Decoded) result).head();
        assertThat(head.params()).containsExactly(java.util.Map.entry("CONTENT_LENGTH", "5"),
                java.util.Map.entry("SCGI", "1"));
        assertThat(head.contentLength()).isEqualTo(5);
        assertThat(in.toString(StandardCharsets.ISO_8859_1)).isEqualTo("hello");
        in.release();
    }

    @Test
    void roundTripsSplitAtEveryByte() {
        SequencedMap<String, String> env = env("CONTENT_LENGTH", "3", "REQUEST_URI", "/a?b", "HTTP_X", "\u00ff\u0001",
                "QUERY_STRING", "");
        byte[] head = encode(env);
        byte[] input = java.util.Arrays.copyOf(head, head.length + 3);
        System.arraycopy(bytes("abc"), 0, input, head.length, 3);
        SequencedMap<String, String> expected = new LinkedHashMap<>(env);
        expected.put("SCGI", "1");
        for (int cut = 0; cut <= input.length; cut++) {
            ScgiHeadDecoder decoder = new ScgiHeadDecoder();
            ByteBuf in = Unpooled.buffer();
            in.writeBytes(input, 0, cut);
            HeadDecoding first = decoder.decode(in);
            assertThat(first).isInstanceOf(cut >= head.length ? HeadDecoding.Decoded.class : HeadDecoding.NeedMore.class);
            in.writeBytes(input, cut, input.length - cut);
            HeadDecoding result = decoder.decode(in);
            assertThat(((HeadDecoding.Decoded) result).head().params()).containsExactlyEntriesOf(expected);
            assertThat(in.toString(StandardCharsets.ISO_8859_1)).isEqualTo("abc");
            assertThat(decoder.decode(in)).isSameAs(result);
            in.release();
        }
    }

    @Test
    void reportsEachMalformedHead() {
        assertThat(malformed(":")).isEqualTo("SCGI netstring without a length");
        assertThat(malformed("x")).startsWith("SCGI netstring length has a non-digit");
        assertThat(malformed("01:")).isEqualTo("SCGI netstring length with a leading zero");
        assertThat(malformed("0:,")).isEqualTo("SCGI head without variables");
        assertThat(malformed("131073")).isEqualTo("SCGI head longer than 131072 bytes");
        assertThat(malformed("24:CONTENT_LENGTH\u00005\u0000SCGI\u00001\u0000;")).isEqualTo("SCGI netstring not ended by a comma");
        assertThat(malformed("23:CONTENT_LENGTH\u00005\u0000SCGI\u00001,")).isEqualTo("SCGI head does not end with a NUL");
        assertThat(malformed("22:CONTENT_LENGTH\u00005\u0000SCGI\u0000,")).isEqualTo("SCGI variable without a value");
        assertThat(malformed("20:CONTENT_LENGTH\u00005\u0000\u00001\u0000,")).isEqualTo("SCGI variable with an empty name");
        assertThat(malformed("24:SCGI\u00001\u0000CONTENT_LENGTH\u00005\u0000,")).isEqualTo("SCGI head does not start with CONTENT_LENGTH");
        assertThat(malformed("31:CONTENT_LENGTH\u00005\u0000SCGI\u00001\u0000SCGI\u00001\u0000,")).isEqualTo("SCGI variable SCGI given twice");
        assertThat(malformed("25:CONTENT_LENGTH\u0000-5\u0000SCGI\u00001\u0000,")).startsWith("SCGI CONTENT_LENGTH is not a decimal");
        assertThat(malformed("24:CONTENT_LENGTH\u00005\u0000SCGI\u00002\u0000,")).isEqualTo("SCGI head without SCGI=1");
        assertThat(malformed("17:CONTENT_LENGTH\u00005\u0000,")).isEqualTo("SCGI head without SCGI=1");
    }

    @Test
    void aSmallerLimitAndAFailedDecoderStaySilent() {
        ScgiHeadDecoder decoder = new ScgiHeadDecoder(23);
        ByteBuf in = Unpooled.wrappedBuffer(bytes("24:CONTENT_LENGTH\u00005\u0000SCGI\u00001\u0000,"));
        HeadDecoding result = decoder.decode(in);
        assertThat(result).isEqualTo(new HeadDecoding.Malformed("SCGI head longer than 23 bytes"));
        int left = in.readableBytes();
        assertThat(decoder.decode(in)).isSameAs(result);
        assertThat(in.readableBytes()).isEqualTo(left);
        in.release();
    }
}
