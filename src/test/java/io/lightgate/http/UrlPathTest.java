package io.lightgate.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UrlPathTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/|/",
            "/index.txt|/index.txt",
            "//index.txt|/index.txt",
            "/a//b///c|/a/b/c",
            "/./index.txt|/index.txt",
            "/../index.txt|/index.txt",
            "/../../../etc/passwd|/etc/passwd",
            "/dir/./../index.txt|/index.txt",
            "/dir/..|/",
            "/dir/.|/dir/",
            "/dir/...|/dir/...",
            "/dir/|/dir/",
            "/dir/%2e%2e/index.txt|/index.txt",
            "/%2E%2E/%2e%2e/secret|/secret",
            "/%2e%2e%2fsecret|/secret",
            "/dir%2F..%2F..%2Fsecret|/secret",
            "/a/b%2Fc|/a/b/c",
            "/a/b%252Fc|/a/b%2Fc",
            "/%69ndex.txt|/index.txt",
            "/a%20b|/a b",
            "/%7e|/~",
            "/index%zz|/index%zz",
            "/index%2|/index%2",
            "/dir\\..\\index.txt|/dir\\..\\index.txt",
            "/%C3%A9t%C3%A9|/été",
            "/a/.b/..c/b..|/a/.b/..c/b..",
            "/a/b/..|/a/",
            "/a/b/.|/a/b/",
            "/a/./|/a/",
            "/a/../|/",
            "/a//|/a/",
            "a/b|/a/b",
    })
    void normalizes(String raw, String expected) {
        assertThat(UrlPath.normalize(raw)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/|true", "/index.txt|true", "/dir/|true", "/a/.b/..c/...|true", "/a b|true",
            "//|false", "/a//b|false", "/a/./b|false", "/a/../b|false", "/a/.|false", "/a/..|false",
            "/.|false", "/..|false", "a|false", "/%41|false", "/\u00e9|false",
    })
    void fastPathTakesOnlyPathsNormalisingToThemselves(String raw, boolean fast) {
        assertThat(UrlPath.isAlreadyNormal(raw)).isEqualTo(fast);
    }

    @Test
    void refusesEncodedNul() {
        assertThat(UrlPath.normalize("/index.txt%00")).isNull();
        assertThat(UrlPath.normalize("/a%00/b")).isNull();
    }

    @Test
    void encodesForLocation() {
        assertThat(UrlPath.encode("/a b/été/")).isEqualTo("/a%20b/%C3%A9t%C3%A9/");
        assertThat(UrlPath.encode("/dir?#/")).isEqualTo("/dir%3F%23/");
    }

    @Test
    void errorPagesHaveLighttpdLengths() {
        // lengths observed from lighttpd 1.4.69
        assertThat(HttpStatus.errorPage(400)).hasSize(345);
        assertThat(HttpStatus.errorPage(404)).hasSize(341);
        assertThat(HttpStatus.errorPage(413)).hasSize(357);
        assertThat(HttpStatus.errorPage(431)).hasSize(385);
        assertThat(HttpStatus.errorPage(501)).hasSize(353);
        assertThat(HttpStatus.errorPage(505)).hasSize(375);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/a%0Ab|true", "/a%0ab|true", "/a%1f|true", "/a%7F|true", "q=%00|true", "%09|true",
            "/a%20b|false", "/a%7E|false", "/a%80|false", "/a%|false", "/a%0|false", "/a%zz%0A|true",
            "/a%%0A|true", "''|false", "/plain|false"})
    void encodedControlCharactersAreFound(String raw, boolean expected) {
        assertThat(UrlPath.hasEncodedControl(raw)).isEqualTo(expected);
    }
}
