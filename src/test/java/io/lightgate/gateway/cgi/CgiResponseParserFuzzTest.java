package io.lightgate.gateway.cgi;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.lightgate.testing.LeakGuard;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fuzz target for {@link CgiResponseParser} (Jazzer): arbitrary output cut into reads at fuzzer-chosen sizes.
 * Invariants: no exception escapes; the result (progress, status, headers, leftover) does not depend on how the
 * reads are cut; every buffer is released (PARANOID leak detection). {@code ./mvnw test} runs the seeded mutations;
 * {@code JAZZER_FUZZ=1 ./mvnw -B -o test -Dtest=CgiResponseParserFuzzTest} fuzzes.
 */
@ExtendWith(LeakGuard.class)
class CgiResponseParserFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void parse(FuzzedDataProvider data) {
        int step = data.consumeInt(1, 200);
        check(data.consumeRemainingAsBytes(), step);
    }

    @Test
    void randomMutationsOfValidOutputsKeepTheInvariants() {
        SplittableRandom random = new SplittableRandom(3875);
        String[] valid = {
                "Content-Type: text/plain\n\nhello",
                "Status: 404 Not Found\r\nX-A: b\r\n\r\nmissing",
                "Location: /x\n\n",
                "Upgrade: websocket\r\nStatus: 101 Switching Protocols\r\n\r\n\u0081\u0000",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                "Status: 103 Early\n\nStatus: 200\n\nbody",
                "no head at all\n",
        };
        int heads = 0;
        for (int round = 0; round < 1200; round++) {
            byte[] input = valid[random.nextInt(valid.length)].getBytes(StandardCharsets.ISO_8859_1);
            int mutations = random.nextInt(4);
            for (int m = 0; m < mutations && input.length > 0; m++) {
                int at = random.nextInt(input.length);
                switch (random.nextInt(3)) {
                    case 0 -> input[at] ^= (byte) (1 << random.nextInt(8));
                    case 1 -> input[at] = (byte) "\r\n :;0aH\t".charAt(random.nextInt(9));
                    default -> input = Arrays.copyOf(input, at);
                }
            }
            if (check(input, random.nextInt(1, 40))) {
                heads++;
            }
        }
        assertThat(heads).as("many mutated outputs must still parse").isGreaterThan(300);
    }

    /** Returns whether a head was read. */
    static boolean check(byte[] input, int step) {
        CgiParserProbe cut = CgiParserProbe.run(input, step, true);
        CgiParserProbe whole = CgiParserProbe.run(input, Math.max(1, input.length), true);
        assertThat(cut.progress()).isEqualTo(whole.progress());
        assertThat(cut.progress()).isNotEqualTo(CgiResponseParser.Progress.NEED_MORE);
        assertThat(cut.leftover()).isEqualTo(whole.leftover());
        if (whole.head() != null) {
            CgiResponseHead a = cut.head();
            CgiResponseHead b = whole.head();
            assertThat(a.status()).isBetween(100, 599).isEqualTo(b.status());
            assertThat(lines(a)).isEqualTo(lines(b));
            assertThat(a.upgrade()).isEqualTo(b.upgrade()).isEqualTo(a.status() == 101);
            assertThat(a.headerBlock()).isEqualTo(b.headerBlock());
        } else {
            assertThat(cut.malformed()).isNotBlank();
        }
        return whole.head() != null;
    }

    private static List<String> lines(CgiResponseHead head) {
        List<String> out = new ArrayList<>();
        head.headers().forEach(e -> out.add(e.getKey() + ": " + e.getValue()));
        return out;
    }
}
