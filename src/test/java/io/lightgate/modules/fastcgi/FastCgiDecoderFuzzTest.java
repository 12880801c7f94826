package io.lightgate.modules.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.lightgate.testing.LeakGuard;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzz target for {@link FastCgiDecoder} (Jazzer): arbitrary bytes cut into reads at fuzzer-chosen sizes.
 * Invariants (checked by {@link FastCgiProbe}): no exception; at most one Malformed and nothing after it; the
 * events do not depend on how the input is cut; every slice handed out is released (PARAMS pending in the decoder
 * too: PARANOID leak detection and LeakGuard). {@code ./mvnw test} replays the seeds and runs the seeded
 * mutations; {@code JAZZER_FUZZ=1 ./mvnw -B -o test -Dtest=FastCgiDecoderFuzzTest} fuzzes.
 */
@ExtendWith(LeakGuard.class)
class FastCgiDecoderFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void decode(FuzzedDataProvider data) {
        int first = data.consumeInt(1, 300);
        int step = data.consumeInt(1, 97);
        check(data.consumeRemainingAsBytes(), first, step);
    }

    @Test
    void randomMutationsOfValidStreamsKeepTheInvariants() {
        SplittableRandom random = new SplittableRandom(3875);
        ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
        int clean = 0;
        for (int round = 0; round < 1500; round++) {
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            for (int r = random.nextInt(1, 6); r > 0; r--) {
                int id = random.nextInt(1, 3);
                byte[] body = new byte[random.nextInt(4) == 0 ? random.nextInt(200, 3000) : random.nextInt(0, 20)];
                random.nextBytes(body);
                switch (random.nextInt(7)) {
                    case 0 -> FastCgiDecoderTest.append(stream, FastCgiEncoder.beginRequest(alloc, id, 1, true));
                    case 1 -> FastCgiDecoderTest.append(stream, ((EncodedParams.Encoded) FastCgiEncoder.params(alloc,
                            id, FastCgiEncoderTest.env("A", "b".repeat(random.nextInt(200)), "C", ""))).records());
                    case 2 -> FastCgiDecoderTest.append(stream, FastCgiEncoder.stream(alloc, 5 + random.nextInt(3), id,
                            Unpooled.wrappedBuffer(body)));
                    case 3 -> FastCgiDecoderTest.append(stream, FastCgiEncoder.endOfStream(alloc, 5, id));
                    case 4 -> FastCgiDecoderTest.append(stream, FastCgiEncoder.endRequest(alloc, id, 0, 0));
                    case 5 -> FastCgiDecoderTest.append(stream, FastCgiEncoder.getValues(alloc, List.of("FCGI_MAX_REQS")));
                    default -> stream.writeBytes(new byte[] {1, 6, 0, (byte) id, 0, 2, 5, 0, 'o', 'k', 0, 0, 0, 0, 0});
                }
            }
            byte[] input = stream.toByteArray();
            for (int m = random.nextInt(3); m > 0 && input.length > 0; m--) {
                int at = random.nextInt(input.length);
                switch (random.nextInt(3)) {
                    case 0 -> input[at] ^= (byte) (1 << random.nextInt(8));
                    case 1 -> input[at] = (byte) random.nextInt(13);
                    default -> input = Arrays.copyOf(input, at);
                }
            }
            if (check(input, random.nextInt(1, 300), random.nextInt(1, 97))) {
                clean++;
            }
        }
        assertThat(clean).as("some streams must decode cleanly").isGreaterThan(150);
    }

    /** Returns whether the input decoded without Malformed. */
    static boolean check(byte[] input, int first, int step) {
        FastCgiProbe whole = FastCgiProbe.run(input, Math.max(1, input.length));
        FastCgiProbe cut = FastCgiProbe.run(input, first, step, step * 7 + 1);
        assertThat(cut.events).isEqualTo(whole.events);
        assertThat(whole.events.stream().filter(e -> e.startsWith("Malformed")).count()).isLessThanOrEqualTo(1);
        return !whole.malformed;
    }
}
