package io.lightgate.modules.redirect;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.modules.redirect.TargetTemplate.UrlParts;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected values are what Debian's lighttpd 1.4.69 answered for the same template and request. */
class TargetTemplateTest {
    private static final UrlParts URL = new UrlParts("http", "example.org:8080", 8080, "/url/p%20q?z=1", "z=1");
    private static final UrlParts NO_QUERY = new UrlParts("http", "example.org", 80, "/url/p", null);
    private static final UrlParts EMPTY_QUERY = new UrlParts("http", "example.org", 80, "/url/p?", "");

    private static String expand(String template, List<String> groups) {
        return TargetTemplate.expand(template, groups, List.of("www.example.org", "www.", "example.org"), URL);
    }

    @Test
    void plainGroupsAreAppendedAsTheyAre() {
        assertThat(expand("/b/$1", List.of("/a/x%20y", "x%20y"))).isEqualTo("/b/x%20y");
        assertThat(expand("$0|$1", List.of("/a/b c", "b c"))).isEqualTo("/a/b c|b c");
    }

    @Test
    void conditionGroupsComeFromThePercentForms() {
        assertThat(expand("http://%2/h|%0|%1", List.of("/host"))).isEqualTo("http://example.org/h|www.example.org|www.");
        assertThat(expand("%{2}", List.of("/"))).isEqualTo("example.org");
        assertThat(TargetTemplate.expand("/x/%1/%{1}", List.of("/"), List.of(), URL)).isEqualTo("/x//");
    }

    @Test
    void missingGroupsAreEmpty() {
        assertThat(expand("/x/$9/%9/${12}/%{7}", List.of("/pc/abc", "abc"))).isEqualTo("/x////");
        List<String> unmatched = new java.util.ArrayList<>();
        unmatched.add("/a");
        unmatched.add(null);
        assertThat(expand("<$1>", unmatched)).isEqualTo("<>");
    }

    @Test
    void escapesAndLoneSigns() {
        assertThat(expand("/x/$$/%%/%a/$a/$%", List.of("/"))).isEqualTo("/x/$/%/%a/$a/$%");
        assertThat(expand("/x/%", List.of("/"))).isEqualTo("/x/%");
        assertThat(expand("/x/$", List.of("/"))).isEqualTo("/x/$");
        assertThat(expand("$", List.of("/"))).isEqualTo("$");
    }

    @Test
    void bracedGroupsAreEncodedWithEscpsndeByDefault() {
        List<String> g = List.of("/enc/Ab/c%20d/eA", "Ab/c%20d/eA");
        assertThat(expand("${1}", g)).isEqualTo("Ab/c%20d/eA");
        assertThat(expand("${escpsnde:1}", g)).isEqualTo("Ab/c%20d/eA");
        assertThat(expand("${1}", List.of("", "a b?c%2fd%41"))).isEqualTo("a%20b%3Fc%2fdA");
    }

    @Test
    void encodingModifiers() {
        List<String> g = List.of("/enc/Ab/c%20d/eA", "Ab/c%20d/eA");
        assertThat(expand("${esc:1}", g)).isEqualTo("Ab%2Fc%2520d%2FeA");
        assertThat(expand("${escape:1}", g)).isEqualTo("Ab%2Fc%2520d%2FeA");
        assertThat(expand("${escnde:1}", g)).isEqualTo("Ab%2Fc%20d%2FeA");
        assertThat(expand("${noesc:1}", g)).isEqualTo("Ab/c%20d/eA");
        assertThat(expand("${noescape:1}", g)).isEqualTo("Ab/c%20d/eA");
        assertThat(expand("${encb64u:1}", g)).isEqualTo("QWIvYyUyMGQvZUE");
        assertThat(expand("${decb64u:1}", List.of("", "aGk"))).isEqualTo("hi");
        assertThat(expand("<${decb64u:1}>", g)).isEqualTo("<>");
        // several: "noesc" wins over the others, as in lighttpd
        assertThat(expand("${noesc:escnde:1}", List.of("", "aBc/D%C3%A9"))).isEqualTo("aBc/D%C3%A9");
        // non-ASCII bytes are encoded one byte at a time
        assertThat(expand("${1}", List.of("", "\u00c3\u00a9"))).isEqualTo("%C3%A9");
    }

    @Test
    void caseModifiersFollowLighttpd169() {
        List<String> g = List.of("", "aBc/D%C3%A9");
        assertThat(expand("${tolower:noesc:1}", g)).isEqualTo("abc/d%C3%A9");
        assertThat(expand("${toupper:noesc:1}", g)).isEqualTo("abc/d%C3%A9"); // 1.4.69 lowercases here too
        assertThat(expand("${toupper:escnde:1}", g)).isEqualTo("abc%2Fd%C3%A9");
        assertThat(expand("${tolower:esc:1}", List.of("", "aBc/D%C3%A9"))).isEqualTo("abc%2Fd%25c3%25a9");
        // a case modifier without an encoding appends nothing in 1.4.69
        assertThat(expand("<${tolower:1}|${toupper:1}>", g)).isEqualTo("<|>");
    }

    @Test
    void urlParts() {
        assertThat(expand("${url.scheme}://${url.authority}:${url.port}${url.path}|${url.query}|${url.bogus}|${qsa}",
                List.of("/"))).isEqualTo("http://example.org:8080:8080/url/p%20q|z=1||?z=1");
        assertThat(TargetTemplate.expand("${url.path}|${url.query}|${qsa}", List.of("/"), List.of(), NO_QUERY))
                .isEqualTo("/url/p||");
        assertThat(expand("${tolower:esc:url.authority}", List.of("/"))).isEqualTo("example.org%3A8080");
    }

    @Test
    void qsaJoinsWithAmpersandWhenTheResultHasAQuery() {
        assertThat(expand("/new?x=1${qsa}", List.of("/"))).isEqualTo("/new?x=1&z=1");
        assertThat(expand("/new${qsa}", List.of("/"))).isEqualTo("/new?z=1");
        assertThat(TargetTemplate.expand("/new?x=1${qsa}", List.of("/"), List.of(), NO_QUERY)).isEqualTo("/new?x=1");
        assertThat(TargetTemplate.expand("/new${qsa}", List.of("/"), List.of(), EMPTY_QUERY)).isEqualTo("/new?");
        assertThat(TargetTemplate.expand("/new?a${qsa}", List.of("/"), List.of(), EMPTY_QUERY)).isEqualTo("/new?a");
    }

    @Test
    void malformedBraces() {
        // unterminated: the result ends where the ${ starts
        assertThat(expand("/m/${1", List.of("/", "x"))).isEqualTo("/m/");
        assertThat(expand("/m/${esc", List.of("/", "x"))).isEqualTo("/m/");
        assertThat(expand("/m/${url.foo", List.of("/", "x"))).isEqualTo("/m/");
        assertThat(expand("/m/${bogus:1", List.of("/", "x"))).isEqualTo("/m/");
        // unknown names are skipped, nothing appended
        assertThat(expand("/m/${foo}/x", List.of("/", "x"))).isEqualTo("/m//x");
        assertThat(expand("/m/${}/x", List.of("/", "x"))).isEqualTo("/m//x");
        // an unknown esc.../no.../to... modifier is skipped up to its ':'
        assertThat(expand("${escfoo:1}|${nofoo:1}|${tofoo:1}", List.of("/", "a b"))).isEqualTo("a%20b|a%20b|a%20b");
        // a group number with text after it: the text up to '}' is ignored
        assertThat(expand("/d/${12}/${1x}/end", List.of("/two/abc", "abc"))).isEqualTo("/d//abc/end");
        assertThat(expand("${123}", List.of("/", "a"))).isEqualTo("");
    }
}
