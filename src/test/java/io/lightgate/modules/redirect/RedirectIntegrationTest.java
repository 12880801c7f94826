package io.lightgate.modules.redirect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lightgate.config.ConfigException;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * mod_redirect in a real server. Expected answers are what Debian's lighttpd 1.4.69 sent for the same
 * config and requests.
 */
@ExtendWith(LeakGuard.class)
class RedirectIntegrationTest {
    private static final Duration T = Duration.ofSeconds(5);
    private static TestServer server;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        // Debian's lighttpd.conf lists mod_indexfile and mod_redirect (with mod_access, mod_alias)
        server = TestServer.start("""
                server.modules = ("mod_indexfile", "mod_redirect")
                url.redirect = (
                    "^/old/(.*)$" => "/new/$1",
                    "^/first/" => "/won-first",
                    "^/first/second" => "/won-second",
                    "^/skip/" => "",
                    "^/sk" => "/never",
                    "^/qs/(.*)$" => "/q?from=$1",
                    "^/parts/" => "${url.path}/x${qsa}",
                    "^/enc/(.*)$" => "/e/${1}|${esc:1}|${noesc:1}",
                    "^/c[0-9]+/(.*)$" => "/code/$1",
                    "^/g/(.*)$" => "/r/%1|$1",
                    "^/auth" => "${url.scheme}://${url.authority}|${url.port}",
                )
                $HTTP["url"] =~ "^/g/(z)" { server.name = "zz" }
                $HTTP["url"] =~ "^/c999/" { url.redirect-code = 999 }
                $HTTP["url"] =~ "^/v/([^/]*)" {
                    url.redirect = ( "^/v/" => "/w/%1|%{1}" )
                }
                $HTTP["url"] =~ "^/c302/" { url.redirect-code = 302 }
                $HTTP["url"] =~ "^/c307/" { url.redirect-code = 307 }
                $HTTP["url"] =~ "^/c308/" { url.redirect-code = 308 }
                $HTTP["url"] =~ "^/c50/" { url.redirect-code = 50 }
                $HTTP["url"] =~ "^/only-here/" {
                    url.redirect = ( "/(x)$" => "/block/$1" )
                }
                $HTTP["url"] =~ "^/u/([a-z]+)/" {
                    url.redirect = ( "^/u/[a-z]+/(.*)$" => "/users/%1/$1" )
                }
                $HTTP["host"] =~ "^(www\\.)?(example\\.(org|net))$" {
                    url.redirect = ( "^/(.*)$" => "http://%2/$1" )
                }
                """);
        Path root = server.docroot();
        Files.writeString(root.resolve("hello.txt"), "hello");
        Files.writeString(root.resolve("x"), "plain x");
        Files.createDirectories(root.resolve("skip"));
        Files.writeString(root.resolve("skip/hello.txt"), "skipped");
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(server.uri(path)).timeout(T).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String raw(String target, String host) throws Exception {
        return RawHttp.exchange(server.port(), "GET " + target + " HTTP/1.1\r\nHost: " + host
                + "\r\nConnection: close\r\n\r\n", T);
    }

    @Test
    void groupOfTheRegexWithDefault301AndAnEmptyBody() throws Exception {
        HttpResponse<String> r = get("/old/a%20b/c.html");
        assertThat(r.statusCode()).isEqualTo(301);
        assertThat(r.headers().firstValue("Location")).hasValue("/new/a%20b/c.html");
        assertThat(r.headers().firstValue("Content-Length")).hasValue("0");
        assertThat(r.headers().firstValue("Content-Type")).isEmpty();
        assertThat(r.body()).isEmpty();
    }

    @Test
    void theRegexSeesTheNormalisedEncodedTarget() throws Exception {
        // %7e decoded (unreserved), dot segments and "//" resolved, %c3%a9 upper-cased, %2f decoded, %3f kept
        String answer = raw("/old/%7euser/../z/./w//%c3%a9%2f%3f", "localhost");
        assertThat(answer).startsWith("HTTP/1.1 301 Moved Permanently\r\n")
                .contains("\r\nLocation: /new/z/w/%C3%A9/%3F\r\n");
    }

    @Test
    void theQueryStringIsPartOfWhatTheRegexMatches() throws Exception {
        HttpResponse<String> r = get("/qs/a%20b?k=v&z=%41");
        assertThat(r.statusCode()).isEqualTo(301);
        assertThat(r.headers().firstValue("Location")).hasValue("/q?from=a%20b?k=v&z=A");
    }

    @Test
    void conditionGroupsFromTheHost() throws Exception {
        assertThat(raw("/p/q?z=1", "www.example.org")).startsWith("HTTP/1.1 301 ")
                .contains("\r\nLocation: http://example.org/p/q?z=1\r\n");
        assertThat(raw("/p", "example.net")).contains("\r\nLocation: http://example.net/p\r\n");
    }

    @Test
    void conditionGroupsFromTheUrl() throws Exception {
        HttpResponse<String> r = get("/u/bob/profile");
        assertThat(r.statusCode()).isEqualTo(301);
        assertThat(r.headers().firstValue("Location")).hasValue("/users/bob/profile");
    }

    @Test
    void aGlobalRedirectHasNoConditionGroupsEvenWhenABlockMatched() throws Exception {
        HttpResponse<String> r = get("/g/zed");
        assertThat(r.headers().firstValue("Location")).hasValue("/r/|zed");
    }

    @Test
    void anAbsoluteFormTargetIsMatchedByItsPathAndQuery() throws Exception {
        assertThat(raw("http://h.example/g/zz?q", "h.example")).startsWith("HTTP/1.1 301 ")
                .contains("\r\nLocation: /r/|zz?q\r\n");
    }

    @Test
    void aDecodedUrlCaptureIsSentAsItsUtf8BytesOrEncodedInBraces() throws Exception {
        // lighttpd 1.4.69 sends the raw bytes C3 A9 for %1 (RawHttp reads ISO-8859-1)
        assertThat(raw("/v/%C3%A9%20x", "localhost")).startsWith("HTTP/1.1 301 ")
                .contains("\r\nLocation: /w/\u00c3\u00a9 x|%C3%A9%20x\r\n");
    }

    @Test
    void aLineBreakFromADecodedUrlCaptureNeverReachesTheHeader() throws Exception {
        String answer = raw("/v/a%0d%0aSet-Cookie:%20x=1", "localhost");
        assertThat(answer).startsWith("HTTP/1.1 400 ").doesNotContain("Set-Cookie");
        // refused by the core's url-ctrls-reject before mod_redirect runs, as in lighttpd; mod_redirect's own
        // guard stays for captures from other sources
        assertThat(server.errorLines("h1")).anySatisfy(l -> assertThat(l).contains("encoded control character"));
        assertThat(server.errorLines("mod_redirect")).isEmpty();
    }

    @Test
    void urlAuthorityIsTheLowerCasedHostOrEmpty() throws Exception {
        int port = server.port();
        assertThat(raw("/auth", "WWW.Example.ORG:" + port))
                .contains("\r\nLocation: http://www.example.org:" + port + "|" + port + "\r\n");
        String noHost = RawHttp.exchange(port, "GET /auth HTTP/1.0\r\n\r\n", T);
        assertThat(noHost).startsWith("HTTP/1.0 301 ").contains("\r\nLocation: http://|" + port + "\r\n");
    }

    @Test
    void redirectCodes() throws Exception {
        for (int code : new int[] {302, 307, 308}) {
            HttpResponse<String> r = get("/c" + code + "/t");
            assertThat(r.statusCode()).as("url.redirect-code = %d", code).isEqualTo(code);
            assertThat(r.headers().firstValue("Location")).hasValue("/code/t");
        }
        HttpResponse<String> unusual = get("/c999/t");
        assertThat(unusual.statusCode()).isEqualTo(999);
        assertThat(unusual.headers().firstValue("Location")).hasValue("/code/t");
        // outside 100..999 lighttpd falls back to 301
        assertThat(get("/c50/t").statusCode()).isEqualTo(301);
    }

    @Test
    void theFirstMatchingRegexWins() throws Exception {
        HttpResponse<String> r = get("/first/second");
        assertThat(r.headers().firstValue("Location")).hasValue("/won-first");
    }

    @Test
    void urlPathAndQsa() throws Exception {
        assertThat(get("/parts/a%20b?x=1&y").headers().firstValue("Location")).hasValue("/parts/a%20b/x?x=1&y");
        assertThat(get("/parts/a").headers().firstValue("Location")).hasValue("/parts/a/x");
    }

    @Test
    void encodingModifiers() throws Exception {
        assertThat(get("/enc/Ab%2Fc%20d").headers().firstValue("Location"))
                .hasValue("/e/Ab/c%20d|Ab%2Fc%2520d|Ab/c%20d");
    }

    @Test
    void aRedirectInABlockAppliesOnlyThere() throws Exception {
        HttpResponse<String> inside = get("/only-here/x");
        assertThat(inside.statusCode()).isEqualTo(301);
        assertThat(inside.headers().firstValue("Location")).hasValue("/block/x");
        HttpResponse<String> outside = get("/x");
        assertThat(outside.statusCode()).isEqualTo(200);
        assertThat(outside.body()).isEqualTo("plain x");
    }

    @Test
    void noMatchGoesOnToStaticfile() throws Exception {
        HttpResponse<String> r = get("/hello.txt");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("hello");
    }

    @Test
    void anEmptyTargetStopsTheSearchAndTheRequestGoesOn() throws Exception {
        HttpResponse<String> r = get("/skip/hello.txt");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("skipped");
        assertThat(r.headers().firstValue("Location")).isEmpty();
    }

    @Test
    void toupperIsWarnedAtStartUpAndLowercasesAsIn169() throws Exception {
        try (TestServer other = TestServer.start("""
                server.modules = ("mod_redirect")
                url.redirect = ( "^/up/(.*)$" => "/x/${toupper:noesc:1}" )
                """)) {
            assertThat(other.errorLines("mod_redirect"))
                    .anySatisfy(l -> assertThat(l).contains("\"^/up/(.*)$\"").contains("${toupper:...} lowercases"));
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(other.uri("/up/AbC")).timeout(T).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.headers().firstValue("Location")).hasValue("/x/abc");
        }
    }

    @Test
    void aBadRegexFailsStartUpNamingKeyAndRegex() {
        assertThatThrownBy(() -> TestServer.start("""
                server.modules = ("mod_redirect")
                url.redirect = ( "^/(a" => "/b" )
                """).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("url.redirect")
                .hasMessageContaining("\"^/(a\"");
    }

    @Test
    void aTargetThatIsNoStringFailsStartUp() {
        assertThatThrownBy(() -> TestServer.start("""
                server.modules = ("mod_redirect")
                url.redirect = ( "^/a" => 3 )
                """).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("url.redirect");
    }
}
