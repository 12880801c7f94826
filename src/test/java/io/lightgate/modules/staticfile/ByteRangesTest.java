package io.lightgate.modules.staticfile;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.modules.staticfile.ByteRanges.Ignore;
import io.lightgate.modules.staticfile.ByteRanges.Range;
import io.lightgate.modules.staticfile.ByteRanges.Satisfiable;
import io.lightgate.modules.staticfile.ByteRanges.Unsatisfiable;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ByteRangesTest {
    private static final long LEN = 1357;

    private static List<Range> ranges(String header) {
        return ((Satisfiable) ByteRanges.evaluate(header, LEN)).ranges();
    }

    @Test
    void singleRangeForms() {
        assertThat(ranges("bytes=0-9")).containsExactly(new Range(0, 9));
        assertThat(ranges("bytes=-5")).containsExactly(new Range(1352, 1356));
        assertThat(ranges("bytes=1350-")).containsExactly(new Range(1350, 1356));
        assertThat(ranges("bytes=1350-99999")).containsExactly(new Range(1350, 1356));
        assertThat(ranges("bytes=-99999")).containsExactly(new Range(0, 1356));
        assertThat(ranges("bytes=1356-1356")).containsExactly(new Range(1356, 1356));
        assertThat(ranges("BYTES=0-1")).containsExactly(new Range(0, 1));
        assertThat(ranges("bytes= 0 - 1 ")).containsExactly(new Range(0, 1));
        assertThat(ranges("bytes=0-99999999999999999999999")).containsExactly(new Range(0, 1356));
    }

    @Test
    void otherUnitsAndEmptyRepresentationsAreIgnored() {
        assertThat(ByteRanges.evaluate("items=0-1", LEN)).isInstanceOf(Ignore.class);
        assertThat(ByteRanges.evaluate("bytes", LEN)).isInstanceOf(Ignore.class);
        assertThat(ByteRanges.evaluate("", LEN)).isInstanceOf(Ignore.class);
        assertThat(ByteRanges.evaluate("bytes=0-1", 0)).isInstanceOf(Ignore.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=", "bytes=abc", "bytes=5-2", "bytes=-0", "bytes=-", "bytes=1357-",
            "bytes=5000-6000", "bytes=0x1-2", "bytes=1-2-3", "bytes=+1-2", "bytes=--1", "bytes=1--2",
            "bytes=,,", "bytes=-abc", "bytes=1-b", "bytes=99999999999999999999-"})
    void malformedOrUnsatisfiableSpecsAloneGive416(String header) {
        assertThat(ByteRanges.evaluate(header, LEN)).isInstanceOf(Unsatisfiable.class);
    }

    @Test
    void badSpecsAreSkippedWhenOthersAreGood() {
        assertThat(ranges("bytes=0-1,junk")).containsExactly(new Range(0, 1));
        assertThat(ranges("bytes=junk,5000-,200-202")).containsExactly(new Range(200, 202));
    }

    @Test
    void severalRangesKeepRequestOrder() {
        assertThat(ranges("bytes=0-1,200-202,-3"))
                .containsExactly(new Range(0, 1), new Range(200, 202), new Range(1354, 1356));
        assertThat(ranges("bytes=500-509,0-9")).containsExactly(new Range(500, 509), new Range(0, 9));
    }

    @Test
    void overlappingAndNearRangesAreMerged() {
        // a gap below 80 bytes costs less than a part header: lighttpd merges, so do we
        assertThat(ranges("bytes=0-1,50-52")).containsExactly(new Range(0, 52));
        assertThat(ranges("bytes=0-9,5-20")).containsExactly(new Range(0, 20));
        assertThat(ranges("bytes=100-110,0-30")).containsExactly(new Range(0, 110));
        assertThat(ranges("bytes=0-9,90-99")).containsExactly(new Range(0, 9), new Range(90, 99));
        assertThat(ranges("bytes=0-9,89-99")).containsExactly(new Range(0, 99));
        assertThat(ranges("bytes=0-0,300-300,150-150,1-1"))
                .containsExactly(new Range(0, 1), new Range(300, 300), new Range(150, 150));
    }

    @Test
    void atMostTenSpecsAreRead() {
        StringBuilder h = new StringBuilder("bytes=");
        for (int i = 0; i < 12; i++) {
            h.append(i == 0 ? "" : ",").append(i * 100).append('-').append(i * 100);
        }
        assertThat(ranges(h.toString())).hasSize(10).last().isEqualTo(new Range(900, 900));
        // an eleventh spec is not read even when it is the only good one
        assertThat(ByteRanges.evaluate("bytes=a,a,a,a,a,a,a,a,a,a,0-1", LEN)).isInstanceOf(Unsatisfiable.class);
    }
}
