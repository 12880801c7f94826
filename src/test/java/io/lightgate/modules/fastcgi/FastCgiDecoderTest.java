package io.lightgate.modules.fastcgi;

import static io.lightgate.modules.fastcgi.FastCgiEncoderTest.env;
import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.SequencedMap;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakGuard.class)
class FastCgiDecoderTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    static void append(ByteArrayOutputStream out, ByteBuf records) {
        out.writeBytes(ByteBufUtil.getBytes(records));
        records.release();
    }

    static byte[] request(SequencedMap<String, String> env, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        append(out, FastCgiEncoder.beginRequest(ALLOC, 1, FastCgi.RESPONDER, false));
        append(out, ((EncodedParams.Encoded) FastCgiEncoder.params(ALLOC, 1, env)).records());
        append(out, FastCgiEncoder.stream(ALLOC, FastCgi.STDIN, 1, Unpooled.copiedBuffer(body)));
        append(out, FastCgiEncoder.endOfStream(ALLOC, FastCgi.STDIN, 1));
        return out.toByteArray();
    }

    static List<String> events(String hex) {
        return FastCgiProbe.run(ByteBufUtil.decodeHexDump(hex), Integer.MAX_VALUE).events;
    }

    @Test
    void requestRoundTripsSplitAtEveryByte() {
        SequencedMap<String, String> env = env("CONTENT_LENGTH", "5", "N".repeat(127), "v".repeat(128),
                "M".repeat(128), "w".repeat(127), "EMPTY", "", "BYTES", "\u00ff\u0000");
        byte[] input = request(env, "hello".getBytes());
        List<String> expected = List.of("BeginRequest[id=1, role=1, flags=0]", "Params[id=1, params=" + env + "]",
                "Stdin 1 68656c6c6f", "StdinEnd[id=1]");
        assertThat(FastCgiProbe.run(input, input.length).events).isEqualTo(expected);
        for (int cut = 1; cut < input.length; cut++) {
            assertThat(FastCgiProbe.run(input, cut, input.length).events).as("cut at " + cut).isEqualTo(expected);
        }
        assertThat(FastCgiProbe.run(input, 1).events).isEqualTo(expected);
    }

    @Test
    void largeBodyRoundTripsThrough65535ByteRecordsCutAtRandom() {
        byte[] body = new byte[200_000];
        new SplittableRandom(7).nextBytes(body);
        byte[] input = request(env("CONTENT_LENGTH", "200000"), body);
        String expected = "Stdin 1 " + ByteBufUtil.hexDump(body);
        SplittableRandom random = new SplittableRandom(65535);
        for (int round = 0; round < 20; round++) {
            List<String> events = FastCgiProbe.run(input, random.nextInt(1, 70_000), random.nextInt(1, 9000)).events;
            assertThat(events).hasSize(4);
            assertThat(events.get(2)).isEqualTo(expected);
        }
    }

    @Test
    void responseRecordsWithPaddingAndEmptyStreamEnds() {
        assertThat(events("0106000100020300" + "6869" + "000000"   // STDOUT "hi", 3 bytes of padding
                + "0107000100010700" + "21" + "00000000000000"      // STDERR "!", 7 bytes of padding
                + "0106000100000000" + "0107000100000000"           // ends of both streams: no event
                + "0103000100080000" + "fffffffe03000000"))         // END_REQUEST -2, UNKNOWN_ROLE
                .containsExactly("Stdout 1 6869", "Stderr 1 21", "EndRequest[id=1, appStatus=-2, protocolStatus=3]");
    }

    @Test
    void serverSideRecords() {
        assertThat(events("0101ffff00080000" + "0003010000000000" + "0102ffff00000000"
                + "0109000000100000" + "0e00" + ByteBufUtil.hexDump("FCGI_MAX_CONNS".getBytes())))
                .containsExactly("BeginRequest[id=65535, role=3, flags=1]", "AbortRequest[id=65535]",
                        "GetValues[names=[FCGI_MAX_CONNS]]");
    }

    @Test
    void unknownRoleIsReportedForTheServerToAnswer() {
        assertThat(events("0101000100080000" + "0009000000000000"))
                .containsExactly("BeginRequest[id=1, role=9, flags=0]");
    }

    @Test
    void otherRecordsAreReportedAndSkipped() {
        assertThat(events("0108000100030100" + "61626300"   // DATA with padding
                + "012a000000020000" + "0102"                // type 42, management
                + "010b000000080000" + "2a00000000000000"    // UNKNOWN_TYPE
                + "0106000100010000" + "7a"))
                .containsExactly("OtherRecord[type=8, id=1]", "OtherRecord[type=42, id=0]",
                        "OtherRecord[type=11, id=0]", "Stdout 1 7a");
    }

    @Test
    void paramsOfInterleavedRequestsAndSeveralRecords() {
        assertThat(events("0104000100040000" + "01014141" + "0104000200040000" + "01014242"
                + "0104000100040000" + "01014343" + "0104000200000000" + "0104000100000000"))
                .containsExactly("Params[id=2, params={B=B}]", "Params[id=1, params={A=A, C=C}]");
    }

    @Test
    void fourByteLengthsUnder128AreAccepted() {
        assertThat(events("01040001000a0000" + "80000001" + "80000001" + "4142" + "0104000100000000"))
                .containsExactly("Params[id=1, params={A=B}]");
    }

    @Test
    void eachMalformedStreamGivesOneReason() {
        assertThat(events("0206000100000000")).containsExactly("Malformed[why=FastCGI record of version 2]");
        assertThat(events("0101000100070000" + "00010000000000")).containsExactly(
                "Malformed[why=FastCGI record of type 1 with 7 content bytes instead of 8]");
        assertThat(events("0103000100090000")).containsExactly(
                "Malformed[why=FastCGI record of type 3 with 9 content bytes instead of 8]");
        assertThat(events("0102000100010000" + "00")).containsExactly(
                "Malformed[why=FastCGI record of type 2 with 1 content bytes instead of 0]");
        assertThat(events("010b000000070000")).containsExactly(
                "Malformed[why=FastCGI record of type 11 with 7 content bytes instead of 8]");
        assertThat(events("0105000000000000")).containsExactly(
                "Malformed[why=FastCGI record of type 5 with request id 0]");
        assertThat(events("0109000100000000")).containsExactly(
                "Malformed[why=FastCGI management record of type 9 with request id 1]");
        assertThat(events("0103000100080000" + "0000000004000000")).containsExactly(
                "Malformed[why=FastCGI END_REQUEST with protocol status 4]");
        assertThat(events("0104000100020000" + "0101" + "0104000100000000")).containsExactly(
                "Malformed[why=FastCGI params: name-value pair longer than its record]");
        assertThat(events("0104000100040000" + "01800000" + "0104000100000000")).containsExactly(
                "Malformed[why=FastCGI params: name-value pair ends inside a length]");
        assertThat(events("0104000100020000" + "0000" + "0104000100000000")).containsExactly(
                "Malformed[why=FastCGI params: name-value pair with an empty name]");
        assertThat(events("0104000100080000" + "01014141" + "01014142" + "0104000100000000")).containsExactly(
                "Malformed[why=FastCGI params: variable A given twice]");
        assertThat(events("0109000000010000" + "05")).containsExactly(
                "Malformed[why=FastCGI GET_VALUES: name-value pair ends inside a length]");
        assertThat(events("0106000100010000" + "41" + "0300000000000000")).containsExactly("Stdout 1 41",
                "Malformed[why=FastCGI record of version 3]");
    }

    @Test
    void pendingParamsAreLimitedOverAllRequests() {
        // the probe's decoder allows 4096 bytes: two requests of 2048 fit, a third record does not
        String record = "0104%04x08000000" + "0101" + "41".repeat(2) + "00".repeat(2044);
        String input = String.format(record, 1) + String.format(record, 2);
        assertThat(events(input)).isEmpty();
        assertThat(events(input + "0104000300010000" + "00")).containsExactly(
                "Malformed[why=FastCGI params over 4096 bytes]");
        // ended params no longer count
        assertThat(events(input + "0104000100000000" + "0104000300010000" + "00"))
                .hasSize(1).first().asString().startsWith("Malformed[why=FastCGI params: ");
    }

    @Test
    void releaseFreesPendingParams() {
        FastCgiDecoder decoder = new FastCgiDecoder(ALLOC);
        ByteBuf in = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("0104000100030000010141"));
        FastCgiProbe probe = new FastCgiProbe();
        decoder.decode(in, probe);
        in.release();
        decoder.release();
        ByteBuf more = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("0104000100000000"));
        decoder.decode(more, probe);
        more.release();
        assertThat(probe.events).isEmpty();
    }
}
