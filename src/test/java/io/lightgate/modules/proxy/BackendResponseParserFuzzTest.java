package io.lightgate.modules.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target for {@link BackendResponseParser} (Jazzer): arbitrary bytes cut into reads at fuzzer-chosen sizes.
 * Invariants: no exception escapes; nothing is reported after {@code malformed}; at most one head and one end;
 * the results do not depend on how the reads are cut; every buffer handed out is released (PARANOID leak
 * detection in the test JVM; the probe releases what it gets). {@code ./mvnw test} replays the seeds and runs the
 * seeded mutations below; {@code JAZZER_FUZZ=1 ./mvnw -B -o test -Dtest=BackendResponseParserFuzzTest} fuzzes.
 */
@org.junit.jupiter.api.extension.ExtendWith(io.lightgate.testing.LeakGuard.class)
class BackendResponseParserFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void parse(FuzzedDataProvider data) {
        int step = data.consumeInt(1, 200);
        boolean head = data.consumeBoolean();
        check(data.consumeRemainingAsBytes(), step, head);
    }

    @Test
    void randomMutationsOfValidResponsesKeepTheInvariants() {
        SplittableRandom random = new SplittableRandom(9112);
        String[] valid = {
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: 1\r\n\r\n",
                "HTTP/1.0 200 OK\r\n\r\nclose delimited",
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\u0081\u0000",
                "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
        };
        int clean = 0;
        for (int round = 0; round < 1500; round++) {
            byte[] input = valid[random.nextInt(valid.length)].getBytes(StandardCharsets.ISO_8859_1);
            int mutations = random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                int at = random.nextInt(input.length);
                switch (random.nextInt(3)) {
                    case 0 -> input[at] ^= (byte) (1 << random.nextInt(8));
                    case 1 -> input[at] = (byte) "\r\n :;0a\t".charAt(random.nextInt(8));
                    default -> input = java.util.Arrays.copyOf(input, at);
                }
                if (input.length == 0) {
                    break;
                }
            }
            if (check(input, random.nextInt(1, 40), random.nextInt(5) == 0)) {
                clean++;
            }
        }
        assertThat(clean).as("some inputs must parse cleanly").isGreaterThan(150);
    }

    /** Returns whether the input parsed without a malformed report. */
    static boolean check(byte[] input, int step, boolean headRequest) {
        ParserProbe cut = ParserProbe.run(input, step, headRequest, true);
        ParserProbe whole = ParserProbe.run(input, Math.max(1, input.length), headRequest, true);
        assertThat(cut.callsAfterMalformed).isZero();
        assertThat(cut.heads.size()).isLessThanOrEqualTo(1);
        assertThat(cut.ends).isLessThanOrEqualTo(1);
        assertThat(cut.malformed == null).isEqualTo(whole.malformed == null);
        assertThat(cut.heads.size()).isEqualTo(whole.heads.size());
        assertThat(cut.ends).isEqualTo(whole.ends);
        if (cut.malformed == null) {
            assertThat(cut.bodyText()).isEqualTo(whole.bodyText());
        }
        if (!cut.heads.isEmpty() && cut.heads.getFirst().framing() == BackendResponseHead.Framing.SWITCH) {
            assertThat(cut.leftover()).isEqualTo(whole.leftover());
        }
        cut.parser.release();
        whole.parser.release();
        return cut.malformed == null;
    }
}
