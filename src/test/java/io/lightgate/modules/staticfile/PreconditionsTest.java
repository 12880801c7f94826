package io.lightgate.modules.staticfile;

import static io.lightgate.modules.staticfile.Preconditions.Result.NOT_MODIFIED;
import static io.lightgate.modules.staticfile.Preconditions.Result.PRECONDITION_FAILED;
import static io.lightgate.modules.staticfile.Preconditions.Result.PROCEED;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PreconditionsTest {
    private static final String ETAG = "\"42\"";
    private static final long MTIME = 1795290662L;
    private static final String LM = "Sat, 21 Nov 2026 19:51:02 GMT";

    private static Preconditions.Result eval(boolean getOrHead, boolean range, String inm, String ims) {
        return Preconditions.evaluate(getOrHead, range, inm, ims, ETAG, LM, MTIME);
    }

    @Test
    void ifNoneMatch() {
        assertThat(eval(true, false, ETAG, null)).isEqualTo(NOT_MODIFIED);
        assertThat(eval(true, false, "W/" + ETAG, null)).isEqualTo(NOT_MODIFIED);
        assertThat(eval(true, true, "W/" + ETAG, null)).isEqualTo(PROCEED);
        assertThat(eval(true, false, "*", null)).isEqualTo(NOT_MODIFIED);
        assertThat(eval(false, false, ETAG, null)).isEqualTo(PRECONDITION_FAILED);
        assertThat(eval(true, false, "\"x\"", null)).isEqualTo(PROCEED);
    }

    @Test
    void ifModifiedSinceOnlyWithoutIfNoneMatch() {
        assertThat(eval(true, false, null, LM)).isEqualTo(NOT_MODIFIED);
        assertThat(eval(true, false, null, "Sat, 21 Nov 2026 19:51:03 GMT")).isEqualTo(NOT_MODIFIED);
        assertThat(eval(true, false, null, "Sat, 21 Nov 2026 19:51:01 GMT")).isEqualTo(PROCEED);
        assertThat(eval(true, false, null, "Saturday, 21-Nov-26 19:51:02 GMT")).isEqualTo(NOT_MODIFIED);
        assertThat(eval(true, false, null, "Sat Nov 21 19:51:02 2026")).isEqualTo(NOT_MODIFIED);
        assertThat(eval(true, false, null, "junk")).isEqualTo(PROCEED);
        // a non-matching If-None-Match makes the server ignore If-Modified-Since (RFC 9110 §13.2.2)
        assertThat(eval(true, false, "\"x\"", LM)).isEqualTo(PROCEED);
        assertThat(eval(false, false, null, LM)).isEqualTo(PROCEED);
    }

    @Test
    void ifRangeComparesExactly() {
        assertThat(Preconditions.ifRangeHolds(null, ETAG, LM)).isTrue();
        assertThat(Preconditions.ifRangeHolds(ETAG, ETAG, LM)).isTrue();
        assertThat(Preconditions.ifRangeHolds("\"zz\"", ETAG, LM)).isFalse();
        assertThat(Preconditions.ifRangeHolds(ETAG, null, LM)).isFalse();
        assertThat(Preconditions.ifRangeHolds(LM, ETAG, LM)).isTrue();
        assertThat(Preconditions.ifRangeHolds("Sat, 21 Nov 2026 19:51:03 GMT", ETAG, LM)).isFalse();
        assertThat(Preconditions.ifRangeHolds("W/" + ETAG, ETAG, LM)).isFalse();
    }
}
