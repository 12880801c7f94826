package io.lightgate.modules.staticfile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HttpDatesTest {
    private static final long SUN_1994 = 784111777L; // Sun, 06 Nov 1994 08:49:37 GMT

    @Test
    void formatsImfFixdateWithTwoDigitDay() {
        assertThat(HttpDates.format(SUN_1994)).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
        assertThat(HttpDates.format(1795290662L)).isEqualTo("Sat, 21 Nov 2026 19:51:02 GMT");
        assertThat(HttpDates.format(0)).isEqualTo("Thu, 01 Jan 1970 00:00:00 GMT");
    }

    @Test
    void parsesAllThreeFormats() {
        assertThat(HttpDates.parse("Sun, 06 Nov 1994 08:49:37 GMT")).isEqualTo(SUN_1994);
        assertThat(HttpDates.parse("Sunday, 06-Nov-94 08:49:37 GMT")).isEqualTo(SUN_1994);
        assertThat(HttpDates.parse("Sun Nov  6 08:49:37 1994")).isEqualTo(SUN_1994);
        assertThat(HttpDates.parse("Sun Nov 16 08:49:37 1994")).isEqualTo(SUN_1994 + 10 * 86400);
    }

    @Test
    void rejectsMalformedDates() {
        assertThat(HttpDates.parse("")).isNull();
        assertThat(HttpDates.parse("junk")).isNull();
        assertThat(HttpDates.parse("Sun, 06 Nov 1994 08:49:37 UTC")).isNull();
        assertThat(HttpDates.parse("Xyz, 06 Nov 1994 08:49:37 GMT")).isNull();
        assertThat(HttpDates.parse("Sun, 06 Foo 1994 08:49:37 GMT")).isNull();
        assertThat(HttpDates.parse("Sun, 0x Nov 1994 08:49:37 GMT")).isNull();
        assertThat(HttpDates.parse("Sun, 06 Nov 1994 08-49:37 GMT")).isNull();
        // IMF-fixdate with trailing parameters (old browsers) is longer than 29: not RFC 850 either
        assertThat(HttpDates.parse("Sun, 06 Nov 1994 08:49:37 GMT; length=12")).isNull();
        assertThat(HttpDates.parse("Sunday, 06 Nov 94 08:49:37 GMT")).isNull();
    }

    @Test
    void outOfRangeFieldsAreNormalisedLikeTimegm() {
        assertThat(HttpDates.parse("Sun, 31 Nov 1994 08:49:37 GMT")).isEqualTo(
                HttpDates.parse("Thu, 01 Dec 1994 08:49:37 GMT"));
    }
}
