package io.lightgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Conditions and per-request evaluation: which blocks apply, which value wins, captures. */
class EvaluateTest {
    static final ConfigKey<String> TAG = ConfigKey.of("t.tag", Scope.CONNECTION, ValueType.STRING, "default");
    static final ConfigKey<String> OTHER = ConfigKey.of("t.other", Scope.CONNECTION, ValueType.STRING, "default");

    static Configuration config(String text) throws ConfigException {
        return ConfigParser.parseText("e.conf", text, Path.of("/tmp")).validate(List.of(TAG, OTHER), w -> { });
    }

    static String tag(Configuration c, RequestFacts f) {
        return c.evaluate(f).get(TAG);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            $HTTP["url"] == "/a"         | /a        | yes
            $HTTP["url"] == "/a"         | /a/       | no
            $HTTP["url"] != "/a"         | /b        | yes
            $HTTP["url"] =^ "/ws/"       | /ws/x     | yes
            $HTTP["url"] =^ "/ws/"       | /w        | no
            $HTTP["url"] =$ ".php"       | /i.php    | yes
            $HTTP["url"] =~ "^/w.s"      | /wxs      | yes
            $HTTP["url"] =~ "x+"         | /axxb     | yes
            $HTTP["url"] !~ "x+"         | /axxb     | no
            $HTTP["url"] =~ "\\.php$"    | /a.php    | yes
            $HTTP["url"] =~ "\\.php$"    | /a.phps   | no
            """)
    void urlOperators(String condition, String url, String applies) throws Exception {
        Configuration c = config(condition + " { t.tag = \"yes\" }\n");
        assertThat(tag(c, Facts.get(url))).isEqualTo(applies.equals("yes") ? "yes" : "default");
    }

    @Test
    void valuesInAllBlocksListsEveryBlocksValueInConfigOrderAsTheRequestSeesIt() throws Exception {
        Configuration c = config("t.tag = \"g\"\n$HTTP[\"url\"] =^ \"/a\" { t.other = \"x\"\n"
                + "  $HTTP[\"host\"] == \"h\" { t.tag = \"ah\" } }\nelse $HTTP[\"url\"] =^ \"/b\" { t.tag = \"b\" }\n");
        assertThat(c.valuesInAllBlocks(TAG)).containsExactly("g", "ah", "b");
        assertThat(c.valuesInAllBlocks(OTHER)).containsExactly("x");
        assertThat(c.evaluate(Facts.get("/b")).get(TAG)).isSameAs(c.valuesInAllBlocks(TAG).get(2));
        assertThat(config("t.other = \"o\"\n").valuesInAllBlocks(TAG)).isEmpty();
    }

    @Test
    void hostEqualityIgnoresThePortOnTheRequestSide() throws Exception {
        Configuration c = config("$HTTP[\"host\"] == \"example.org\" { t.tag = \"h\" }\n"
                + "$HTTP[\"host\"] != \"[::1]\" { t.other = \"!v6\" }\n");
        assertThat(tag(c, Facts.get("/").withHost("example.org:8080"))).isEqualTo("h");
        assertThat(tag(c, Facts.get("/").withHost("example.org"))).isEqualTo("h");
        assertThat(tag(c, Facts.get("/").withHost("example.com"))).isEqualTo("default");
        assertThat(c.evaluate(Facts.get("/").withHost("example.org:8080")).get(OTHER)).isEqualTo("!v6");
        assertThat(c.evaluate(Facts.get("/").withHost("[::1]:80")).get(OTHER)).isEqualTo("default");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            10.0.0.0/8       | 10.20.30.40   | yes
            10.0.0.0/8       | 11.0.0.1      | no
            192.168.1.128/25 | 192.168.1.200 | yes
            192.168.1.128/25 | 192.168.1.100 | no
            127.0.0.1        | 127.0.0.1     | yes
            ::1/128          | ::1           | yes
            ::1/128          | 0:0:0:0:0:0:0:1 | yes
            ::1/128          | 127.0.0.1     | no
            2001:db8::/32    | 2001:db8:1::5 | yes
            2001:db8::/32    | 2001:db9::5   | no
            0.0.0.0/0        | 8.8.8.8       | yes
            10.0.0.0/8       | ''            | no
            """)
    void remoteIpCidr(String network, String ip, String applies) throws Exception {
        Configuration c = config("$HTTP[\"remote-ip\"] == \"" + network + "\" { t.tag = \"in\" }\n"
                + "$HTTP[\"remoteip\"] != \"" + network + "\" { t.tag = \"out\" }\n");
        assertThat(tag(c, Facts.get("/").withRemoteIp(ip))).isEqualTo(applies.equals("yes") ? "in" : "out");
    }

    @Test
    void badRemoteIpIsAPositionedError() {
        assertThatThrownBy(() -> config("$HTTP[\"remote-ip\"] == \"abc/8\" { }\n"))
                .hasMessage("e.conf:1:23: invalid IP address or CIDR network \"abc/8\" (expected e.g. \"10.0.0.1\", "
                        + "\"10.0.0.0/8\" or \"::1/128\")");
        assertThatThrownBy(() -> config("$HTTP[\"remote-ip\"] == \"10.0.0.0/33\" { }\n"))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void regexCapturesOfTheLastApplyingMatch() throws Exception {
        Configuration c = config("""
                $HTTP["host"] =~ "^(.+)\\.example\\.com$" {
                  $HTTP["url"] =~ "^/u/([a-z]+)(/.*)?" { t.tag = "user" }
                }
                """);
        RequestConfig rc = c.evaluate(Facts.get("/u/bob/x").withHost("www.example.com"));
        assertThat(rc.get(TAG)).isEqualTo("user");
        assertThat(rc.captures()).containsExactly("/u/bob/x", "bob", "/x");
        RequestConfig hostOnly = c.evaluate(Facts.get("/other").withHost("www.example.com"));
        assertThat(hostOnly.captures()).containsExactly("www.example.com", "www");
        RequestConfig optionalGroupMissing = c.evaluate(Facts.get("/u/bob").withHost("a.example.com"));
        assertThat(optionalGroupMissing.captures()).containsExactly("/u/bob", "bob", "");
        assertThat(c.evaluate(Facts.get("/u/bob")).captures()).isEmpty();
    }

    @Test
    void badRegexReportsItsPosition() {
        assertThatThrownBy(() -> config("\n  $HTTP[\"url\"] =~ \"a(b\" { }\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.column()).isEqualTo(19);
                    assertThat(e.detail()).startsWith("invalid regex \"a(b\": Unclosed group");
                });
    }

    @Test
    void elseChainsApplyOnlyWhenEveryEarlierBranchFailed() throws Exception {
        Configuration c = config("""
                $HTTP["url"] =^ "/a" { t.tag = "a" }
                else $HTTP["url"] =^ "/ab" { t.tag = "never" }
                elif $HTTP["url"] =^ "/b" { t.tag = "b" }
                else if $HTTP["url"] =^ "/c" { t.tag = "c" }
                else { t.tag = "other" }
                """);
        assertThat(tag(c, Facts.get("/ab"))).isEqualTo("a");
        assertThat(tag(c, Facts.get("/b"))).isEqualTo("b");
        assertThat(tag(c, Facts.get("/c"))).isEqualTo("c");
        assertThat(tag(c, Facts.get("/z"))).isEqualTo("other");
    }

    @Test
    void nestedBlocksNeedTheirParentAndLaterBlocksWin() throws Exception {
        Configuration c = config("""
                t.tag = "global"
                $HTTP["host"] == "a" {
                  t.tag = "host-a"
                  $HTTP["url"] =^ "/x" { t.tag = "host-a-x" }
                  else { t.tag = "host-a-not-x" }
                }
                $HTTP["url"] =^ "/x/late" { t.tag = "late" }
                """);
        assertThat(tag(c, Facts.get("/x").withHost("a"))).isEqualTo("host-a-x");
        assertThat(tag(c, Facts.get("/y").withHost("a"))).isEqualTo("host-a-not-x");
        assertThat(tag(c, Facts.get("/x").withHost("b"))).isEqualTo("global");
        assertThat(tag(c, Facts.get("/x/late").withHost("a"))).isEqualTo("late");
        assertThat(c.evaluate(Facts.get("/y").withHost("b")).isSet(TAG)).isTrue();
    }

    @Test
    void elseOfANestedBlockDoesNotApplyWhenItsParentFails() throws Exception {
        Configuration c = config("""
                $HTTP["host"] == "a" {
                  $HTTP["url"] =^ "/x" { t.tag = "x" } else { t.tag = "else" }
                }
                """);
        assertThat(tag(c, Facts.get("/y").withHost("b"))).isEqualTo("default");
        assertThat(c.evaluate(Facts.get("/y").withHost("b")).isSet(TAG)).isFalse();
    }

    @Test
    void headersAndOtherFields() throws Exception {
        Configuration c = config("""
                $REQUEST_HEADER["Upgrade"] =~ "(?i)^websocket$" { t.tag = "ws" }
                $HTTP["useragent"] =^ "curl/" { t.tag = "curl" }
                $HTTP["user-agent"] == "" { t.other = "noua" }
                $HTTP["cookie"] =~ "s=1" { t.tag = "cookie" }
                $HTTP["language"] =^ "de" { t.tag = "de" }
                $HTTP["referer"] != "" { t.tag = "ref" }
                $HTTP["querystring"] == "a=1" { t.tag = "q" }
                $HTTP["scheme"] == "https" { t.tag = "tls" }
                $HTTP["request-method"] == "POST" { t.tag = "post" }
                """);
        assertThat(tag(c, Facts.get("/").withHeaders(Map.of("upgrade", "WebSocket")))).isEqualTo("ws");
        assertThat(c.evaluate(Facts.get("/")).get(OTHER)).isEqualTo("noua");
        assertThat(c.evaluate(Facts.get("/").withHeaders(Map.of("User-Agent", "x"))).get(OTHER)).isEqualTo("default");
        assertThat(tag(c, Facts.get("/").withHeaders(Map.of("User-Agent", "curl/8")))).isEqualTo("curl");
        assertThat(tag(c, Facts.get("/").withHeaders(Map.of("Cookie", "a=2; s=1", "User-Agent", "x")))).isEqualTo("cookie");
        assertThat(tag(c, Facts.get("/").withHeaders(Map.of("Accept-Language", "de-DE", "User-Agent", "x")))).isEqualTo("de");
        assertThat(tag(c, Facts.get("/").withHeaders(Map.of("Referer", "http://x/", "User-Agent", "x")))).isEqualTo("ref");
        assertThat(tag(c, Facts.get("/").withQuery("a=1").withHeaders(Map.of("User-Agent", "x")))).isEqualTo("q");
        RequestFacts https = new Facts("/", "", "::1", "https", "", "GET", Map.of("User-Agent", "x"), ":443");
        assertThat(tag(c, https)).isEqualTo("tls");
        RequestFacts post = new Facts("/", "", "::1", "http", "", "POST", Map.of("User-Agent", "x"), ":80");
        assertThat(tag(c, post)).isEqualTo("post");
    }

    @Test
    void missingHeaderComparesAsEmpty() throws Exception {
        for (String condition : List.of("!= \"v\"", "!~ \".\"", "== \"\"", "=^ \"\"")) {
            Configuration c = config("$REQUEST_HEADER[\"X-Missing\"] " + condition + " { t.tag = \"hit\" }\n");
            assertThat(tag(c, Facts.get("/"))).as(condition).isEqualTo("hit");
        }
        Configuration c = config("$REQUEST_HEADER[\"X-Missing\"] =~ \".\" { t.tag = \"hit\" }\n");
        assertThat(tag(c, Facts.get("/"))).isEqualTo("default");
    }

    @Test
    void socketConditionsAndListeners() throws Exception {
        Configuration c = config("""
                $SERVER["socket"] == "127.0.0.1:8443" { t.tag = "tls-listener" }
                $SERVER["socket"] == ":8081" { t.tag = "8081" }
                $SERVER["socket"] == "127.0.0.1:8443" { u.u = 1 }
                $SERVER["socket"] =^ "[::]" { t.tag = "v6" }
                """);
        assertThat(c.listenerSockets()).containsExactly("127.0.0.1:8443", ":8081");
        assertThat(tag(c, Facts.get("/").withSocket("127.0.0.1:8443"))).isEqualTo("tls-listener");
        assertThat(tag(c, Facts.get("/").withSocket(":8081"))).isEqualTo("8081");
        assertThat(tag(c, Facts.get("/").withSocket("[::]:80"))).isEqualTo("v6");
        assertThat(tag(c, Facts.get("/").withSocket(":80"))).isEqualTo("default");
        assertThat(c.forSocket("127.0.0.1:8443", TAG)).isEqualTo("tls-listener");
        assertThat(c.forSocket(":9", TAG)).isEqualTo("default");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            $HTTP["bogus"] == "/" { }        | 1:1: unknown condition field $HTTP["bogus"]
            $FOO["url"] == "/" { }           | 1:1: unknown condition field $FOO["url"]
            $SERVER["name"] == "/" { }       | 1:1: unknown condition field $SERVER["name"]
            $HTTP["url"] == 1 { }            | 1:17: the right side of a condition must be a string, got integer
            $HTTP["url"] = "/" { }           | 1:14: expected a comparison (==, !=, =~, !~, =^ or =$), got '='
            $HTTP["url"] == "/" x = 1        | 1:21: expected '{' to open the block of $HTTP["url"] == "/", got x
            $HTTP["url"] == "/" { x = 1      | 1:28: expected '}' closing the block of $HTTP["url"] == "/", got end of file
            global { $HTTP["url"] == "/" { } } | 1:10: conditions are not allowed inside global { ... }
            else { x = 1 }                   | 1:1: 'else' without a preceding condition block
            $HTTP["url"] == "/" { } else x = 1 | 1:30: expected a condition or '{' after else, got x
            x = 1 else { }                   | 1:7: expected end of line after the value, got 'else'
            """)
    void conditionErrors(String text, String expected) {
        assertThat(ParserTest.error(text.replace("e.conf", "t.conf"))).startsWith(expected);
    }

    @Test
    void conditionValueIsAnExpression() throws Exception {
        Configuration c = config("p = \"/ws\"\n$HTTP[\"url\"] =^ p + \"/\" { t.tag = \"ws\" }\n");
        assertThat(tag(c, Facts.get("/ws/1"))).isEqualTo("ws");
    }
}
