package io.lightgate.gateway.cgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.Version;
import io.lightgate.gateway.cgi.CgiEnvOptions.Flavor;
import io.lightgate.http.PhysicalPath;
import io.lightgate.http.Request;
import io.lightgate.modules.support.MapConfig;
import io.lightgate.modules.support.TestExchange;
import io.lightgate.server.ServerKeys;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The environment against reference §8: the whole ordered list for each shape of request. */
class CgiEnvironmentTest {
    private static final Path ROOT = Path.of("/srv/www");
    private static final String TAG = Version.tag();

    private static Request request(String method, String target, Request.Protocol protocol, String scheme,
                                   InetSocketAddress remote, InetSocketAddress local, long contentLength,
                                   String... headerPairs) {
        HttpHeaders headers = TestExchange.headers(headerPairs);
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? "" : target.substring(q + 1);
        String host = headers.contains("Host") ? headers.get("Host").toLowerCase() : "";
        return new Request(method, target, protocol, headers, path, query, host, scheme, remote, local,
                "0.0.0.0:8080", contentLength);
    }

    private static Request get(String target, String... headers) {
        return request("GET", target, Request.Protocol.HTTP_1_1, "http", new InetSocketAddress("127.0.0.1", 50123),
                new InetSocketAddress("127.0.0.1", 8080), -1, headers);
    }

    private static TestExchange exchange(Request request, MapConfig config) {
        String path = request.path();
        return new TestExchange(request, config, new PhysicalPath(ROOT, path, ROOT.resolve(path.substring(1))));
    }

    private static List<String> env(TestExchange exchange, CgiEnvOptions options) {
        CgiEnvironment.Result result = CgiEnvironment.build(exchange, options);
        assertThat(result).isInstanceOf(CgiEnvironment.Built.class);
        List<String> out = new ArrayList<>();
        for (CgiVariable v : ((CgiEnvironment.Built) result).variables()) {
            out.add(v.toString());
        }
        return out;
    }

    private static CgiEnvOptions cgi(String scriptName) {
        return CgiEnvOptions.of(Flavor.CGI, scriptName, "");
    }

    @Test
    void plainGetWithQuery() {
        TestExchange ex = exchange(get("/cgi-bin/env.cgi?a=1&b=%20", "Host", "Example.org:8080", "Accept", "*/*",
                "User-Agent", "t/1"), new MapConfig());
        assertThat(env(ex, cgi("/cgi-bin/env.cgi"))).containsExactly(
                "CONTENT_LENGTH=0",
                "QUERY_STRING=a=1&b=%20",
                "REQUEST_URI=/cgi-bin/env.cgi?a=1&b=%20",
                "REDIRECT_STATUS=200",
                "SCRIPT_NAME=/cgi-bin/env.cgi",
                "SCRIPT_FILENAME=/srv/www/cgi-bin/env.cgi",
                "DOCUMENT_ROOT=/srv/www",
                "REQUEST_METHOD=GET",
                "SERVER_PROTOCOL=HTTP/1.1",
                "SERVER_SOFTWARE=" + TAG,
                "GATEWAY_INTERFACE=CGI/1.1",
                "REQUEST_SCHEME=http",
                "SERVER_PORT=8080",
                "SERVER_ADDR=127.0.0.1",
                "SERVER_NAME=example.org",
                "REMOTE_ADDR=127.0.0.1",
                "REMOTE_PORT=50123",
                "HTTP_HOST=Example.org:8080",
                "HTTP_ACCEPT=*/*",
                "HTTP_USER_AGENT=t/1");
    }

    @Test
    void postWithBodyPathInfoAndServerSettings() {
        Request post = request("POST", "/app.cgi/x/y", Request.Protocol.HTTP_1_0, "http",
                new InetSocketAddress("10.0.0.9", 4000), new InetSocketAddress("10.0.0.1", 80), 11,
                "Host", "h", "Content-Type", "text/plain", "Content-Length", "11", "X-Forwarded-For", "1.2.3.4");
        TestExchange ex = new TestExchange(post, new MapConfig().set(ServerKeys.TAG, "myserver/1")
                .set(ServerKeys.NAME, "www.example.net:81"),
                new PhysicalPath(ROOT, "/app.cgi", ROOT.resolve("app.cgi")));
        assertThat(env(ex, CgiEnvOptions.of(Flavor.CGI, "/app.cgi", "/x/y"))).containsExactly(
                "CONTENT_LENGTH=11",
                "QUERY_STRING=",
                "REQUEST_URI=/app.cgi/x/y",
                "REDIRECT_STATUS=200",
                "SCRIPT_NAME=/app.cgi",
                "PATH_INFO=/x/y",
                "PATH_TRANSLATED=/srv/www/x/y",
                "SCRIPT_FILENAME=/srv/www/app.cgi",
                "DOCUMENT_ROOT=/srv/www",
                "REQUEST_METHOD=POST",
                "SERVER_PROTOCOL=HTTP/1.0",
                "SERVER_SOFTWARE=myserver/1",
                "GATEWAY_INTERFACE=CGI/1.1",
                "REQUEST_SCHEME=http",
                "SERVER_PORT=80",
                "SERVER_ADDR=10.0.0.1",
                "SERVER_NAME=www.example.net",
                "REMOTE_ADDR=10.0.0.9",
                "REMOTE_PORT=4000",
                "CONTENT_TYPE=text/plain",
                "HTTP_HOST=h",
                "HTTP_X_FORWARDED_FOR=1.2.3.4");
    }

    @Test
    void chunkedBodyLengthComesFromTheModule() {
        Request post = request("POST", "/a.cgi", Request.Protocol.HTTP_1_1, "http",
                new InetSocketAddress("127.0.0.1", 1), new InetSocketAddress("127.0.0.1", 2), -2);
        List<String> env = env(exchange(post, new MapConfig()), cgi("/a.cgi").withContentLength(1234));
        assertThat(env.getFirst()).isEqualTo("CONTENT_LENGTH=1234");
    }

    private static final String[] UPGRADE_HEADERS = {"Host", "h", "Connection", "Upgrade", "Upgrade", "websocket",
            "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version", "13"};

    @Test
    void upgradeAllowedShowsHttpUpgrade() {
        List<String> env = env(exchange(get("/ws.cgi", UPGRADE_HEADERS), new MapConfig()),
                cgi("/ws.cgi").withUpgradeAllowed(true));
        assertThat(env.subList(env.indexOf("REMOTE_PORT=50123") + 1, env.size())).containsExactly(
                "HTTP_HOST=h", "HTTP_CONNECTION=Upgrade", "HTTP_UPGRADE=websocket",
                "HTTP_SEC_WEBSOCKET_KEY=dGhlIHNhbXBsZSBub25jZQ==", "HTTP_SEC_WEBSOCKET_VERSION=13");
    }

    @Test
    void upgradeNotAllowedHidesHttpUpgradeOnly() {
        List<String> env = env(exchange(get("/ws.cgi", UPGRADE_HEADERS), new MapConfig()), cgi("/ws.cgi"));
        assertThat(env.subList(env.indexOf("REMOTE_PORT=50123") + 1, env.size())).containsExactly(
                "HTTP_HOST=h", "HTTP_CONNECTION=Upgrade",
                "HTTP_SEC_WEBSOCKET_KEY=dGhlIHNhbXBsZSBub25jZQ==", "HTTP_SEC_WEBSOCKET_VERSION=13");
    }

    @Test
    void proxyHeaderIsNeverExportedAndEmptyValuesAreSkipped() {
        List<String> env = env(exchange(get("/a.cgi", "Host", "h", "Proxy", "http://evil:3128", "X-Empty", "",
                "proxy-authorization", "p"), new MapConfig()), cgi("/a.cgi"));
        assertThat(env).doesNotContain("HTTP_PROXY=http://evil:3128").contains("HTTP_PROXY_AUTHORIZATION=p")
                .noneMatch(s -> s.startsWith("HTTP_X_EMPTY"));
    }

    @Test
    void repeatedHeadersAreJoined() {
        List<String> env = env(exchange(get("/a.cgi", "Accept", "a", "Cookie", "x=1", "accept", "b", "Cookie", "y=2"),
                new MapConfig()), cgi("/a.cgi"));
        assertThat(env.subList(env.indexOf("REMOTE_PORT=50123") + 1, env.size()))
                .containsExactly("HTTP_ACCEPT=a, b", "HTTP_COOKIE=x=1; y=2");
    }

    @Test
    void headerCollisionIsExportedForCgiAndRefusedForGateways() {
        Request r = get("/a", "Host", "h", "X-A", "1", "X_A", "2");
        List<String> cgiEnv = env(exchange(r, new MapConfig()), cgi("/a"));
        assertThat(cgiEnv.subList(cgiEnv.indexOf("REMOTE_PORT=50123") + 1, cgiEnv.size()))
                .containsExactly("HTTP_HOST=h", "HTTP_X_A=1", "HTTP_X_A=2");
        CgiEnvironment.Result gw = CgiEnvironment.build(exchange(r, new MapConfig()),
                CgiEnvOptions.of(Flavor.GATEWAY, "/a", ""));
        assertThat(gw).isEqualTo(new CgiEnvironment.Collision("HTTP_X_A", "x-a", "x_a"));
    }

    @Test
    void ipv6ClientAndHttpsListener() {
        Request r = request("GET", "/s.cgi", Request.Protocol.HTTP_1_1, "https",
                new InetSocketAddress("2001:db8:0:0:0:0:0:1", 6000), new InetSocketAddress("::1", 8443), -1,
                "Host", "[::1]:8443");
        List<String> env = env(exchange(r, new MapConfig()), cgi("/s.cgi"));
        assertThat(env.subList(env.indexOf("GATEWAY_INTERFACE=CGI/1.1") + 1, env.size())).containsExactly(
                "REQUEST_SCHEME=https",
                "HTTPS=on",
                "SERVER_PORT=8443",
                "SERVER_ADDR=::1",
                "SERVER_NAME=[::1]",
                "REMOTE_ADDR=2001:db8::1",
                "REMOTE_PORT=6000",
                "HTTP_HOST=[::1]:8443");
    }

    @Test
    void noHostAndNoServerNameGivesTheServerAddress() {
        List<String> env = env(exchange(get("/a.cgi"), new MapConfig()), cgi("/a.cgi"));
        assertThat(env).contains("SERVER_NAME=127.0.0.1");
    }

    @Test
    void unixSocketListenerHasNoAddressOrPort() {
        Request r = request("GET", "/a.cgi", Request.Protocol.HTTP_1_1, "http",
                new InetSocketAddress("127.0.0.1", 5), null, -1, "Host", "h");
        r = new Request("GET", "/a.cgi", Request.Protocol.HTTP_1_1, r.headers(), "/a.cgi", "", "h", "http",
                UnixDomainSocketAddress.of("/tmp/peer"), UnixDomainSocketAddress.of("/tmp/lg.sock"), "/tmp/lg.sock", -1);
        List<String> env = env(exchange(r, new MapConfig()), cgi("/a.cgi"));
        assertThat(env).contains("SERVER_PORT=0", "SERVER_ADDR=", "SERVER_NAME=h", "REMOTE_ADDR=", "REMOTE_PORT=0");
    }

    @Test
    void docrootOverrideAndStripRequestUri() {
        // the seed's SCGI shape: key "/ws/", check-local off, the backend's own docroot
        TestExchange ex = new TestExchange(get("/ws/ws_echo.py/more?x=1", "Host", "h"), new MapConfig()
                .set(ServerKeys.DOCUMENT_ROOT, "/srv/www"), null);
        CgiEnvironment.ScriptSplit split = CgiEnvironment.splitPathInfo("/ws/", "/ws/ws_echo.py/more", false);
        CgiEnvOptions options = CgiEnvOptions.of(Flavor.GATEWAY, split.scriptName(), split.pathInfo())
                .withDocroot("/opt/app/").withStripRequestUri("/ws/");
        assertThat(env(ex, options).subList(0, 9)).containsExactly(
                "CONTENT_LENGTH=0",
                "QUERY_STRING=x=1",
                "REQUEST_URI=/ws_echo.py/more?x=1",
                "REDIRECT_STATUS=200",
                "SCRIPT_NAME=/ws/ws_echo.py",
                "PATH_INFO=/more",
                "PATH_TRANSLATED=/opt/app/more",
                "SCRIPT_FILENAME=/opt/app/ws/ws_echo.py",
                "DOCUMENT_ROOT=/opt/app/");
    }

    @Test
    void withoutPhysicalPathTheDocumentRootComesFromConfig() {
        TestExchange ex = new TestExchange(get("/ws/echo.py", "Host", "h"),
                new MapConfig().set(ServerKeys.DOCUMENT_ROOT, "/srv/www"), null);
        List<String> env = env(ex, CgiEnvOptions.of(Flavor.GATEWAY, "/ws/echo.py", ""));
        assertThat(env).contains("SCRIPT_FILENAME=/srv/www/ws/echo.py", "DOCUMENT_ROOT=/srv/www");
    }

    @Test
    void brokenScriptFilenameAppendsPathInfo() {
        TestExchange ex = new TestExchange(get("/i.php/p"), new MapConfig(),
                new PhysicalPath(ROOT, "/i.php", ROOT.resolve("i.php")));
        assertThat(env(ex, CgiEnvOptions.of(Flavor.GATEWAY, "/i.php", "/p").withBrokenScriptFilename(true)))
                .contains("SCRIPT_FILENAME=/srv/www/i.php/p");
    }

    @Test
    void authorizerOmitsContentLengthAndScriptVariables() {
        List<String> env = env(exchange(get("/auth?q", "Host", "h"), new MapConfig()),
                CgiEnvOptions.of(Flavor.GATEWAY, "/auth", "/x").withAuthorizer(true));
        assertThat(env.subList(0, 6)).containsExactly("QUERY_STRING=q", "REQUEST_URI=/auth?q", "REDIRECT_STATUS=200",
                "SCRIPT_FILENAME=/srv/www/auth", "DOCUMENT_ROOT=/srv/www", "REQUEST_METHOD=GET");
    }

    @Test
    void http2ExtendedConnectIsPresentedAsAnHttp11Upgrade() {
        Request r = request("CONNECT", "/ws.cgi", Request.Protocol.HTTP_2, "https",
                new InetSocketAddress("127.0.0.1", 50123), new InetSocketAddress("127.0.0.1", 8443), -2,
                "sec-websocket-version", "13");
        List<String> env = env(exchange(r, new MapConfig()), cgi("/ws.cgi").withUpgradeAllowed(true));
        assertThat(env).contains("REQUEST_METHOD=GET", "SERVER_PROTOCOL=HTTP/1.1", "CONTENT_LENGTH=0");
        assertThat(env.subList(env.indexOf("REMOTE_PORT=50123") + 1, env.size())).containsExactly(
                "HTTP_UPGRADE=websocket", "HTTP_CONNECTION=upgrade",
                "HTTP_SEC_WEBSOCKET_KEY=" + CgiEnvironment.SYNTHETIC_WEBSOCKET_KEY, "HTTP_SEC_WEBSOCKET_VERSION=13");

        Request withKey = request("CONNECT", "/ws.cgi", Request.Protocol.HTTP_2, "https",
                new InetSocketAddress("127.0.0.1", 50123), new InetSocketAddress("127.0.0.1", 8443), -2,
                "sec-websocket-key", "abc");
        List<String> keyed = env(exchange(withKey, new MapConfig()), cgi("/ws.cgi").withUpgradeAllowed(true));
        assertThat(keyed.subList(keyed.indexOf("REMOTE_PORT=50123") + 1, keyed.size())).containsExactly(
                "HTTP_UPGRADE=websocket", "HTTP_CONNECTION=upgrade", "HTTP_SEC_WEBSOCKET_KEY=abc");
    }

    @Test
    void requestEnvironmentOfOtherModulesComesLast() {
        List<String> env = env(exchange(get("/a.cgi", "Host", "h"), new MapConfig()),
                cgi("/a.cgi").withRequestEnv(List.of(new CgiVariable("REMOTE_USER", "bob"),
                        new CgiVariable("my-var", "1"), new CgiVariable("EMPTY", ""))));
        assertThat(env.subList(env.size() - 3, env.size()))
                .containsExactly("HTTP_HOST=h", "REMOTE_USER=bob", "MY_VAR=1");
    }

    @Test
    void cgiInheritsOnlyTheLoaderVariables() {
        assertThat(CgiEnvironment.inheritedForCgi(Map.of("PATH", "/bin", "LD_LIBRARY_PATH", "/l", "HOME", "/h",
                "LD_PRELOAD", "x.so"))).containsExactly(new CgiVariable("LD_PRELOAD", "x.so"),
                new CgiVariable("LD_LIBRARY_PATH", "/l"));
        assertThat(CgiEnvironment.inheritedForCgi(Map.of("PATH", "/bin"))).isEmpty();
    }

    @ParameterizedTest(name = "key {0}, url {1}, fix-root {2}")
    @CsvSource(nullValues = "null", value = {
            "/ws/,  /ws/ws_echo.py,        false, /ws/ws_echo.py, ''",
            "/ws/,  /ws/ws_echo.py/x,      false, /ws/ws_echo.py, /x",
            "/app,  /app/x/y,              false, /app,           /x/y",
            "/app,  /app,                  false, /app,           ''",
            "/app,  /application/x,        false, /application,   /x",
            "/,     /fcgi-bin/foo/bar,     false, /fcgi-bin,      /foo/bar",
            "/,     /fcgi-bin/foo/bar,     true,  '',             /fcgi-bin/foo/bar",
            "/app,  /app/x,                true,  /app,           /x",
            ".php,  /a/b.php,              false, /a/b.php,       ''",
            "'',    /a/b,                  false, /a/b,           ''",
            "/app,  /other/x,              false, null,           null",
    })
    void pathInfoSplit(String key, String url, boolean fixRoot, String scriptName, String pathInfo) {
        CgiEnvironment.ScriptSplit split = CgiEnvironment.splitPathInfo(key, url, fixRoot);
        if (scriptName == null) {
            assertThat(split).isNull();
        } else {
            assertThat(split).isEqualTo(new CgiEnvironment.ScriptSplit(scriptName, pathInfo));
        }
    }

    @ParameterizedTest
    @CsvSource({"/app/x?y,/app,/x?y", "/app/x,/app/,/x", "/app,/app,/app", "/apps/x,/app,/apps/x", "/x,/,/x"})
    void stripRequestUri(String target, String strip, String expected) {
        assertThat(CgiEnvironment.stripRequestUri(target, strip)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"Content-Type,HTTP_CONTENT_TYPE", "x.y~z,HTTP_X_Y_Z", "a1-B2,HTTP_A1_B2", "\u00e9t\u00e9,HTTP__T_"})
    void variableNames(String header, String expected) {
        assertThat(CgiEnvironment.variableName("HTTP_", header)).isEqualTo(expected);
    }
}
