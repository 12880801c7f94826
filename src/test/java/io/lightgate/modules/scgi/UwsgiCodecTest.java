package io.lightgate.modules.scgi;

import static io.lightgate.modules.scgi.ScgiCodecTest.env;
import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.SequencedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakGuard.class)
class UwsgiCodecTest {

    static byte[] encode(SequencedMap<String, String> env) {
        EncodedHead result = UwsgiCodec.encodeHead(env, ByteBufAllocator.DEFAULT);
        assertThat(result).isInstanceOf(EncodedHead.Encoded.class);
        ByteBuf head = ((EncodedHead.Encoded) result).head();
        byte[] bytes = ByteBufUtil.getBytes(head);
        head.release();
        return bytes;
    }

    static HeadDecoding decodeWhole(byte[] input) {
        ByteBuf in = Unpooled.wrappedBuffer(input);
        try {
            return new UwsgiHeadDecoder().decode(in);
        } finally {
            in.release();
        }
    }

    static String malformed(String hex) {
        HeadDecoding result = decodeWhole(ByteBufUtil.decodeHexDump(hex));
        assertThat(result).isInstanceOf(HeadDecoding.Malformed.class);
        return ((HeadDecoding.Malformed) result).why();
    }

    @Test
    void encodesHeaderAndLittleEndianLengths() {
        byte[] head = encode(env("CONTENT_LENGTH", "0", "Q", ""));
        assertThat(ByteBufUtil.hexDump(head)).isEqualTo(
                "00" + "1800" + "00"
                        + "0e00" + ByteBufUtil.hexDump("CONTENT_LENGTH".getBytes()) + "0100" + "30"
                        + "0100" + "51" + "0000");
    }

    @Test
    void refusesVarsOver64KiBAsTooLargeAndLongNamesAsInvalid() {
        String big = "x".repeat(0xFFFF - 2 - 1 - 2);
        assertThat(encode(env("A", big))).hasSize(4 + 0xFFFF);
        EncodedHead tooLarge = UwsgiCodec.encodeHead(env("A", big, "B", ""), ByteBufAllocator.DEFAULT);
        assertThat(tooLarge).isInstanceOf(EncodedHead.Refused.class);
        assertThat(((EncodedHead.Refused) tooLarge).tooLarge()).isTrue();
        for (SequencedMap<String, String> bad : java.util.List.of(env("A", "y".repeat(0x10000)), env("", "v"),
                env("A", "\u0100"))) {
            EncodedHead result = UwsgiCodec.encodeHead(bad, ByteBufAllocator.DEFAULT);
            assertThat(result).isInstanceOf(EncodedHead.Refused.class);
            assertThat(((EncodedHead.Refused) result).tooLarge()).isFalse();
        }
    }

    @Test
    void roundTripsSplitAtEveryByte() {
        SequencedMap<String, String> env = env("CONTENT_LENGTH", "2", "REQUEST_URI", "/\u00e9", "EMPTY", "",
                "HTTP_X", "a".repeat(300));
        byte[] head = encode(env);
        byte[] input = java.util.Arrays.copyOf(head, head.length + 2);
        input[head.length] = 'o';
        input[head.length + 1] = 'k';
        for (int cut = 0; cut <= input.length; cut++) {
            UwsgiHeadDecoder decoder = new UwsgiHeadDecoder();
            ByteBuf in = Unpooled.buffer();
            in.writeBytes(input, 0, cut);
            assertThat(decoder.decode(in)).isInstanceOf(
                    cut >= head.length ? HeadDecoding.Decoded.class : HeadDecoding.NeedMore.class);
            in.writeBytes(input, cut, input.length - cut);
            HeadDecoding result = decoder.decode(in);
            GatewayHead decoded = ((HeadDecoding.Decoded) result).head();
            assertThat(decoded.params()).containsExactlyEntriesOf(env);
            assertThat(decoded.contentLength()).isEqualTo(2);
            assertThat(in.toString(StandardCharsets.ISO_8859_1)).isEqualTo("ok");
            in.release();
        }
    }

    @Test
    void aMissingContentLengthMeansNoBody() {
        HeadDecoding result = decodeWhole(encode(env("A", "b")));
        assertThat(((HeadDecoding.Decoded) result).head().contentLength()).isZero();
        assertThat(decodeWhole(ByteBufUtil.decodeHexDump("00000000"))).isInstanceOf(HeadDecoding.Decoded.class);
    }

    @Test
    void reportsEachMalformedHead() {
        assertThat(malformed("01000000")).isEqualTo("uwsgi packet with modifiers 1/0 (only 0/0 is a request)");
        assertThat(malformed("00000001")).isEqualTo("uwsgi packet with modifiers 0/1 (only 0/0 is a request)");
        assertThat(malformed("0001000041")).isEqualTo("uwsgi vars end inside a length");
        assertThat(malformed("000400000000" + "0000")).isEqualTo("uwsgi variable with an empty name");
        assertThat(malformed("0004000002004142")).isEqualTo("uwsgi variable beyond the vars size");
        assertThat(malformed("00050000010041" + "0100")).isEqualTo("uwsgi value of A beyond the vars size");
        assertThat(malformed("000a0000" + "0100410000" + "0100410000")).isEqualTo("uwsgi variable A given twice");
        assertThat(malformed("00130000" + "0e00" + ByteBufUtil.hexDump("CONTENT_LENGTH".getBytes()) + "01002d"))
                .startsWith("uwsgi CONTENT_LENGTH is not a decimal");
    }
}
