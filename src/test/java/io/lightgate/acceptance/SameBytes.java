package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

/** Byte-for-byte comparison of large payloads whose failure says where they differ instead of printing them. */
final class SameBytes {
    private SameBytes() { }

    static void assertSame(byte[] actual, byte[] expected, String what, Object... args) {
        String described = String.format(what, args);
        assertThat(actual).as("%s", described).isNotNull();
        int at = Arrays.mismatch(actual, expected);
        assertThat(at).as("%s: %d bytes, expected %d; first difference at byte", described, actual.length,
                expected.length).isEqualTo(-1);
    }
}
