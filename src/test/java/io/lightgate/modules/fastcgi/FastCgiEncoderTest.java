package io.lightgate.modules.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakGuard.class)
class FastCgiEncoderTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    static String hex(ByteBuf b) {
        try {
            return ByteBufUtil.hexDump(b);
        } finally {
            b.release();
        }
    }

    static SequencedMap<String, String> env(String... pairs) {
        SequencedMap<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    static ByteBuf encoded(EncodedParams result) {
        assertThat(result).isInstanceOf(EncodedParams.Encoded.class);
        return ((EncodedParams.Encoded) result).records();
    }

    @Test
    void beginRequestAsLighttpdSendsIt() {
        assertThat(hex(FastCgiEncoder.beginRequest(ALLOC, 1, FastCgi.RESPONDER, false)))
                .isEqualTo("01010001000800000001000000000000");
        assertThat(hex(FastCgiEncoder.beginRequest(ALLOC, 0x1234, FastCgi.AUTHORIZER, true)))
                .isEqualTo("01011234000800000002010000000000");
    }

    @Test
    void paramsInOneRecordThenTheEmptyOne() {
        assertThat(hex(encoded(FastCgiEncoder.params(ALLOC, 1, env("AB", "c", "E", "")))))
                .isEqualTo("0104000100080000" + "0201" + "4142" + "63" + "0100" + "45" + "0104000100000000");
        assertThat(hex(encoded(FastCgiEncoder.params(ALLOC, 1, env())))).isEqualTo("0104000100000000");
    }

    @Test
    void lengthsSwitchFromOneToFourBytesAt128() {
        String n127 = "N".repeat(127);
        String v128 = "v".repeat(128);
        ByteBuf records = encoded(FastCgiEncoder.params(ALLOC, 1, env(n127, v128)));
        assertThat(records.getUnsignedShort(4)).isEqualTo(1 + 4 + 127 + 128);
        assertThat((int) records.getUnsignedByte(8)).isEqualTo(127);
        assertThat(records.getInt(9)).isEqualTo(0x80000080);
        assertThat(records.readableBytes()).isEqualTo(8 + 260 + 8);
        records.release();
    }

    @Test
    void paramsOverOneRecordAreRefused() {
        // one pair: 4 + 1 name bytes + 4-byte value length + value = exactly 65535
        String fits = "x".repeat(0xFFFF - 1 - 4 - 1);
        ByteBuf ok = encoded(FastCgiEncoder.params(ALLOC, 1, env("A", fits)));
        assertThat(ok.getUnsignedShort(4)).isEqualTo(0xFFFF);
        ok.release();
        assertThat(FastCgiEncoder.params(ALLOC, 1, env("A", fits + "x"))).isEqualTo(
                new EncodedParams.Refused("FastCGI params of 65536 bytes exceed one record (65535)"));
        assertThat(FastCgiEncoder.params(ALLOC, 1, env("", "x"))).isInstanceOf(EncodedParams.Refused.class);
        assertThat(FastCgiEncoder.params(ALLOC, 1, env("A", "\u20ac"))).isInstanceOf(EncodedParams.Refused.class);
    }

    @Test
    void stdinSplitsIntoRecordsOfAtMost65535BytesWithoutPadding() {
        byte[] body = new byte[65535 * 2 + 10];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        ByteBuf data = Unpooled.wrappedBuffer(body);
        ByteBuf records = FastCgiEncoder.stream(ALLOC, FastCgi.STDIN, 1, data);
        byte[] wire = ByteBufUtil.getBytes(records);
        records.release();
        assertThat(data.refCnt()).as("the body's memory is released with the records").isZero();
        assertThat(wire).hasSize(body.length + 3 * 8);
        int at = 0;
        int bodyAt = 0;
        for (int length : new int[] {65535, 65535, 10}) {
            assertThat(ByteBufUtil.hexDump(wire, at, 8)).isEqualTo(String.format("01050001%04x0000", length));
            assertThat(java.util.Arrays.copyOfRange(wire, at + 8, at + 8 + length))
                    .isEqualTo(java.util.Arrays.copyOfRange(body, bodyAt, bodyAt + length));
            at += 8 + length;
            bodyAt += length;
        }
    }

    @Test
    void smallAndEmptyStreamsAndTheirEnds() {
        assertThat(hex(FastCgiEncoder.stream(ALLOC, FastCgi.STDOUT, 1, Unpooled.copiedBuffer(new byte[] {'h', 'i'}))))
                .isEqualTo("01060001000200006869");
        assertThat(hex(FastCgiEncoder.stream(ALLOC, FastCgi.STDIN, 1, Unpooled.buffer(0)))).isEmpty();
        assertThat(hex(FastCgiEncoder.endOfStream(ALLOC, FastCgi.STDIN, 1))).isEqualTo("0105000100000000");
        assertThat(hex(FastCgiEncoder.endOfStream(ALLOC, FastCgi.STDERR, 7))).isEqualTo("0107000700000000");
    }

    @Test
    void endRequestAbortAndManagementRecords() {
        assertThat(hex(FastCgiEncoder.endRequest(ALLOC, 1, 0x01020304, FastCgi.OVERLOADED)))
                .isEqualTo("01030001000800000102030402000000");
        assertThat(hex(FastCgiEncoder.endRequest(ALLOC, 1, -1, FastCgi.REQUEST_COMPLETE)))
                .isEqualTo("010300010008000" + "0ffffffff00000000");
        assertThat(hex(FastCgiEncoder.abortRequest(ALLOC, 3))).isEqualTo("0102000300000000");
        assertThat(hex(FastCgiEncoder.unknownType(ALLOC, 42))).isEqualTo("010b000000080000" + "2a00000000000000");
        assertThat(hex(FastCgiEncoder.getValues(ALLOC, List.of("FCGI_MAX_CONNS"))))
                .isEqualTo("0109000000100000" + "0e00" + ByteBufUtil.hexDump("FCGI_MAX_CONNS".getBytes()));
        assertThat(hex(FastCgiEncoder.getValuesResult(ALLOC, env(FastCgi.MPXS_CONNS, "1"))))
                .isEqualTo("010a000000120000" + "0f01" + ByteBufUtil.hexDump("FCGI_MPXS_CONNS1".getBytes()));
    }
}
