package io.lightgate.modules.scgi;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.lightgate.testing.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.SequencedMap;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzz targets for {@link ScgiHeadDecoder} and {@link UwsgiHeadDecoder} (Jazzer): arbitrary bytes cut into reads.
 * Invariants: no exception; the result and the bytes left for the body do not depend on how the input is cut; a
 * malformed result is final and consumes nothing more. {@code ./mvnw test} replays the seeds and runs the seeded
 * mutations; {@code JAZZER_FUZZ=1 ./mvnw -B -o test -Dtest=ScgiUwsgiHeadDecoderFuzzTest} fuzzes.
 */
@ExtendWith(LeakGuard.class)
class ScgiUwsgiHeadDecoderFuzzTest {

    @FuzzTest(maxDuration = "1m")
    void scgi(FuzzedDataProvider data) {
        int step = data.consumeInt(1, 64);
        check(ScgiHeadDecoder::new, data.consumeRemainingAsBytes(), step);
    }

    @FuzzTest(maxDuration = "1m")
    void uwsgi(FuzzedDataProvider data) {
        int step = data.consumeInt(1, 64);
        check(UwsgiHeadDecoder::new, data.consumeRemainingAsBytes(), step);
    }

    @Test
    void randomMutationsOfValidHeadsKeepTheInvariants() {
        SplittableRandom random = new SplittableRandom(3875);
        int[] clean = new int[2];
        for (int round = 0; round < 2000; round++) {
            boolean scgi = random.nextBoolean();
            SequencedMap<String, String> env = ScgiCodecTest.env("CONTENT_LENGTH", String.valueOf(random.nextInt(3)),
                    "REQUEST_URI", "/x".repeat(random.nextInt(5)), "HTTP_A", "b", "QUERY_STRING", "");
            EncodedHead.Encoded encoded = (EncodedHead.Encoded) (scgi ? ScgiCodec.encodeHead(env, ByteBufAllocator.DEFAULT)
                    : UwsgiCodec.encodeHead(env, ByteBufAllocator.DEFAULT));
            byte[] input = ByteBufUtil.getBytes(encoded.head());
            encoded.head().release();
            input = Arrays.copyOf(input, input.length + 2);
            for (int m = random.nextInt(4); m > 0 && input.length > 0; m--) {
                int at = random.nextInt(input.length);
                switch (random.nextInt(3)) {
                    case 0 -> input[at] ^= (byte) (1 << random.nextInt(8));
                    case 1 -> input[at] = (byte) "\u0000:,0123".charAt(random.nextInt(7));
                    default -> input = Arrays.copyOf(input, at);
                }
            }
            if (check(scgi ? ScgiHeadDecoder::new : UwsgiHeadDecoder::new, input, random.nextInt(1, 30))) {
                clean[scgi ? 0 : 1]++;
            }
        }
        assertThat(clean[0]).as("some SCGI heads must decode").isGreaterThan(150);
        assertThat(clean[1]).as("some uwsgi heads must decode").isGreaterThan(150);
    }

    /** Returns whether the input held a valid head. */
    static boolean check(Supplier<RequestHeadDecoder> decoders, byte[] input, int step) {
        Outcome whole = run(decoders.get(), input, Math.max(1, input.length));
        Outcome cut = run(decoders.get(), input, step);
        assertThat(cut).isEqualTo(whole);
        return whole.result instanceof HeadDecoding.Decoded;
    }

    private record Outcome(HeadDecoding result, int left) { }

    private static Outcome run(RequestHeadDecoder decoder, byte[] input, int step) {
        ByteBuf in = Unpooled.buffer();
        HeadDecoding result = HeadDecoding.NEED_MORE;
        try {
            for (int at = 0; at < input.length; at += step) {
                in.writeBytes(input, at, Math.min(step, input.length - at));
                HeadDecoding next = decoder.decode(in);
                if (!(result instanceof HeadDecoding.NeedMore)) {
                    assertThat(next).as("a final result stays").isSameAs(result);
                }
                result = next;
            }
            if (result instanceof HeadDecoding.Malformed) {
                int left = in.readableBytes();
                in.writeBytes(new byte[] {'1', ':', 0, ','});
                assertThat(decoder.decode(in)).isSameAs(result);
                assertThat(in.readableBytes()).as("a failed decoder consumes nothing").isEqualTo(left + 4);
                return new Outcome(result, -1);
            }
            return new Outcome(result, result instanceof HeadDecoding.Decoded ? in.readableBytes() : -1);
        } finally {
            in.release();
        }
    }
}
