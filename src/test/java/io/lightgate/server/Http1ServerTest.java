package io.lightgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestModule;
import io.lightgate.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** HTTP/1.x through a real server: keep-alive, pipelining, HEAD, 100-continue, refusals, the core's answers. */
@ExtendWith(LeakGuard.class)
class Http1ServerTest {
    private static final Duration T = Duration.ofSeconds(5);
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start("server.modules = (\"mod_test\")\nserver.max-request-size = 1\n",
                TestModule.registry());
        Files.writeString(server.docroot().resolve("index.txt"), "hello\n");
        Files.createDirectories(server.docroot().resolve("dir"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void jdkClientKeepsTheConnectionAlive() throws Exception {
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/echo/" + i + "?q=1")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("GET /echo/" + i + " q=1");
                assertThat(r.headers().firstValue("server")).hasValue(io.lightgate.Version.tag());
                assertThat(r.headers().firstValue("date")).isPresent();
            }
        }
    }

    @Test
    void pipelinedResponsesComeInOrderOnOneConnection() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("GET /echo/1 HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "POST /echo/2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                    + "POST /echo/3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"
                    + "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /echo/5 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            assertThat(c.readResponse(false).body()).isEqualTo("GET /echo/1 ");
            assertThat(c.readResponse(false).body()).isEqualTo("POST /echo/2 ");
            assertThat(c.readResponse(false).body()).isEqualTo("POST /echo/3 ");
            assertThat(c.readResponse(false).body()).isEqualTo("GET /slow ");
            RawHttp.Response last = c.readResponse(false);
            assertThat(last.body()).isEqualTo("GET /echo/5 ");
            assertThat(last.header("Connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void http10KeepAliveOnlyWhenAsked() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.version()).isEqualTo("HTTP/1.0");
            assertThat(r.header("Connection")).isEqualTo("keep-alive");
            c.send("GET /echo HTTP/1.0\r\n\r\n");
            assertThat(c.readResponse(false).header("Connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void headHasTheHeadersButNoBody() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("HEAD /nope HTTP/1.1\r\nHost: a\r\n\r\nGET /echo/after HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Response head = c.readResponse(true);
            assertThat(head.status()).isEqualTo(404);
            assertThat(head.header("Content-Length")).isEqualTo("341");
            // the next response starts right after the head: no body bytes in between
            assertThat(c.readResponse(false).body()).isEqualTo("GET /echo/after ");
        }
    }

    @Test
    void expectContinueGets100BeforeTheBody() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
            RawHttp.Response interim = c.readResponse(true);
            assertThat(interim.status()).isEqualTo(100);
            c.send("abc");
            assertThat(c.readResponse(false).status()).isEqualTo(200);
        }
    }

    @Test
    void coreAnswersForTheFileSystem() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("GET /dir?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Response redirect = c.readResponse(false);
            assertThat(redirect.status()).isEqualTo(301);
            assertThat(redirect.header("Location")).isEqualTo("/dir/?x=1");
            c.send("GET /dir/ HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(false).status()).isEqualTo(403);
            c.send("GET /missing HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Response missing = c.readResponse(false);
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.header("Content-Type")).isEqualTo("text/html");
            assertThat(missing.body()).contains("<title>404 Not Found</title>");
            c.send("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Response options = c.readResponse(false);
            assertThat(options.status()).isEqualTo(200);
            assertThat(options.header("Allow")).isEqualTo("OPTIONS, GET, HEAD, POST");
            c.send("PUT /missing HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx");
            assertThat(c.readResponse(false).status()).isEqualTo(404);
            c.send("DELETE /index.txt HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(false).status()).isEqualTo(501);
            c.send("GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(false).status()).isEqualTo(404);
        }
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("GET / HTTP/1.1\r\n\r\n", 400, "HTTP/1.1"),
                Arguments.of("GET /\r\n\r\n", 400, "HTTP/1.0"),
                Arguments.of("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "HTTP/1.0"),
                Arguments.of("FOO / HTTP/1.1\r\nHost: a\r\n\r\n", 501, "HTTP/1.1"),
                Arguments.of("GET /echo HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400, "HTTP/1.1"),
                Arguments.of("GET /echo HTTP/1.1\r\nHost: a\r\nX: a\u0000b\r\n\r\n", 400, "HTTP/1.1"),
                Arguments.of("GET /echo HTTP/1.1\r\nHost: a_b\r\n\r\n", 400, "HTTP/1.1"),
                Arguments.of("GET /echo%00 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "HTTP/1.1"),
                // url-ctrls-reject, as Debian's lighttpd 1.4.69 answers: any encoded control, path or query
                Arguments.of("GET /echo%0Ax HTTP/1.1\r\nHost: a\r\n\r\n", 400, "HTTP/1.1"),
                Arguments.of("GET /echo%7f HTTP/1.1\r\nHost: a\r\n\r\n", 400, "HTTP/1.1"),
                Arguments.of("GET /echo?q=%1B HTTP/1.1\r\nHost: a\r\n\r\n", 400, "HTTP/1.1"),
                Arguments.of("GET /echo?q=%00 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "HTTP/1.1"),
                Arguments.of("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                        400, "HTTP/1.1"),
                Arguments.of("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "HTTP/1.1"),
                Arguments.of("GET /echo HTTP/1.0\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n", 400, "HTTP/1.0"),
                Arguments.of("GET /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nab", 400, "HTTP/1.1"),
                Arguments.of("GET /echo HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n", 417, "HTTP/1.1"),
                Arguments.of("POST /echo HTTP/1.1\r\nHost: a\r\n\r\n", 411, "HTTP/1.1"),
                Arguments.of("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\n\r\n", 413, "HTTP/1.1"),
                Arguments.of("POST /slow HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "400\r\n" + "a".repeat(1024) + "\r\n1\r\nb\r\n", 413, "HTTP/1.1"),
                Arguments.of("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 431, "HTTP/1.0"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("refusals")
    void refusedRequestsGetLighttpdsAnswerAndOneLogLine(String request, int status, String version) throws Exception {
        int before = server.errorLines("h1").size();
        String raw = RawHttp.exchange(server.port(), request, T);
        RawHttp.Response r = RawHttp.parse(raw);
        assertThat(r.version()).isEqualTo(version);
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.header("Connection")).isEqualTo("close");
        assertThat(r.header("Content-Type")).isEqualTo("text/html");
        assertThat(r.body()).isEqualTo(io.lightgate.http.HttpStatus.errorPage(status));
        assertThat(raw).doesNotContain("<<timeout>>");
        Thread.sleep(50);
        var lines = server.errorLines("h1");
        assertThat(lines).hasSize(before + 1);
        assertThat(lines.getLast()).contains("sending Status " + status).contains("(127.0.0.1)");
    }

    @Test
    void anUpgradeTheClientDidNotWaitForIsRefusedToItsHandler() throws Exception {
        TestModule.UPGRADES.clear();
        // the client gives up before the answer: a reset, not a half-close (after a FIN the request is still due)
        try (java.net.Socket c = new java.net.Socket("127.0.0.1", server.port())) {
            c.getOutputStream().write(("GET /late-upgrade HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\n"
                    + "Upgrade: test\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Thread.sleep(100);
            c.setSoLinger(true, 0);
        }
        // the module's handler hears of it, so it can release what it prepared (a backend connection)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (TestModule.UPGRADES.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(TestModule.UPGRADES).containsExactly("refused");
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("GET /late-upgrade HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: test\r\n\r\n");
            assertThat(c.readResponse(false).status()).isEqualTo(101);
        }
        // the 101 is written just before the handler runs
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (TestModule.UPGRADES.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(TestModule.UPGRADES).containsExactly("refused", "upgraded");
    }

    @Test
    void invalidResponseHeadersAreNeverSentAndAreLogged() throws Exception {
        int before = server.errorLines("server").size();
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("GET /inject HTTP/1.1\r\nHost: a\r\n\r\nGET /echo/next HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("injected?");
            assertThat(r.head()).doesNotContain("Injected").doesNotContain("X-Split").doesNotContain("X-Nul")
                    .doesNotContain("X Space").doesNotContain("X-Wide").doesNotContain("\u0000");
            assertThat(r.header("X-Fine")).isEqualTo("d\te");
            // the head ended where it should: the next response follows intact on the same connection
            assertThat(c.readResponse(false).body()).isEqualTo("GET /echo/next ");
        }
        Thread.sleep(50);
        var lines = server.errorLines("server");
        assertThat(lines).hasSize(before + 4);
        assertThat(String.join("\n", lines.subList(before, lines.size())))
                .contains("\"X-Split\" not sent").contains("\"X-Nul\" not sent").contains("\"X Space\" not sent")
                .contains("\"X-Wide\" not sent");
    }

    @Test
    void requestDoneSeesEveryRequestIncludingRefusals() throws Exception {
        TestModule.DONE.clear();
        RawHttp.exchange(server.port(), "GET /echo/done HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", T);
        RawHttp.exchange(server.port(), "BREW /x HTTP/1.1\r\nHost: a\r\n\r\n", T);
        Thread.sleep(50);
        assertThat(TestModule.DONE).containsExactly("GET /echo/done 200", "BREW /x 501");
    }
}
