package io.lightgate.modules.redirect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Expected values are what Debian's lighttpd 1.4.69 matched url.redirect against. */
class NormalizedTargetTest {

    @Test
    void unreservedEscapesAreDecodedOthersUpperCased() {
        assertThat(NormalizedTarget.of("/a/%7euser/%41%c3%a9")).isEqualTo("/a/~user/A%C3%A9");
        assertThat(NormalizedTarget.of("/a%20b")).isEqualTo("/a%20b");
        // only unreserved characters are decoded: a sub-delim stays encoded
        assertThat(NormalizedTarget.of("/a%21b%2cc")).isEqualTo("/a%21b%2Cc");
    }

    @Test
    void slashIsDecodedInThePathQuestionMarkIsNot() {
        assertThat(NormalizedTarget.of("/a/%c3%a9%2f%3f")).isEqualTo("/a/%C3%A9/%3F");
    }

    @Test
    void charactersThatNeedEncodingAreEncoded() {
        assertThat(NormalizedTarget.of("/a b\"<>\u00e9")).isEqualTo("/a%20b%22%3C%3E%E9");
    }

    @Test
    void dotSegmentsAndRepeatedSlashesAreResolvedInThePathOnly() {
        assertThat(NormalizedTarget.of("/a/../z/./w//v")).isEqualTo("/z/w/v");
        assertThat(NormalizedTarget.of("/a/b/..?x=/../y//z")).isEqualTo("/a/?x=/../y//z");
        assertThat(NormalizedTarget.of("/a%2f%2e%2e/b%5c%2F")).isEqualTo("/b%5C/");
    }

    @Test
    void queryKeepsItsDelimitersEncoded() {
        assertThat(NormalizedTarget.of("/q?k=v&z=%41%26%3d%2b%3b%2f%3f")).isEqualTo("/q?k=v&z=A%26%3D%2B%3B%2F%3F");
        assertThat(NormalizedTarget.of("/q?")).isEqualTo("/q?");
    }

    @Test
    void fragmentIsDropped() {
        assertThat(NormalizedTarget.of("/a#frag?x")).isEqualTo("/a");
    }

    @Test
    void absoluteFormKeepsPathAndQuery() {
        assertThat(NormalizedTarget.of("http://h.example/abs/zz?q")).isEqualTo("/abs/zz?q");
        assertThat(NormalizedTarget.of("http://h.example?q")).isEqualTo("/?q");
        assertThat(NormalizedTarget.of("http://h.example")).isEqualTo("/");
    }
}
