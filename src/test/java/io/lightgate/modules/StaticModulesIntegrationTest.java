package io.lightgate.modules;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** mod_staticfile, mod_indexfile, mime types and mod_accesslog in a real server, over real sockets. */
@ExtendWith(LeakGuard.class)
class StaticModulesIntegrationTest {
    private static final Duration T = Duration.ofSeconds(5);
    private static final Path SEED_COUNT = Path.of("/work/shared/seed/samples/docroot/count.html");
    private static TestServer server;
    private static HttpClient client;
    private static String count;
    private static Path accessLog;
    private static Path pipedLog;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start("""
                server.modules = ("mod_accesslog")
                index-file.names = ("index.html")
                static-file.exclude-extensions = (".php")
                accesslog.filename = "@DOCROOT@/../access.log"
                accesslog.format = "%h %m %U %>s %b \\"%{Range}i\\""
                $HTTP["url"] =~ "^/piped/" {
                    accesslog.filename = "|exec cat >> '@DOCROOT@/../piped.log'"
                }
                """);
        Path root = server.docroot();
        count = Files.readString(SEED_COUNT);
        Files.writeString(root.resolve("count.html"), count);
        Files.writeString(root.resolve("data.txt"), "0123456789".repeat(100));
        Files.writeString(root.resolve("secret.php"), "<?php");
        Files.createDirectories(root.resolve("dir"));
        Files.writeString(root.resolve("dir/index.html"), "<h1>index</h1>");
        Files.createDirectories(root.resolve("piped"));
        Files.writeString(root.resolve("piped/p.txt"), "piped");
        accessLog = root.resolve("../access.log").normalize();
        pipedLog = root.resolve("../piped.log").normalize();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static RawHttp.Response raw(String request, boolean head) throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            return c.send(request).readResponse(head);
        }
    }

    @Test
    void seedCountHtmlIsServedAsTextHtml() throws Exception {
        HttpResponse<String> r = get("/count.html");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/html");
        assertThat(r.headers().firstValue("accept-ranges")).hasValue("bytes");
        assertThat(r.headers().firstValue("etag")).get().asString().matches("\"\\d+\"");
        assertThat(r.headers().firstValue("last-modified")).isPresent();
        assertThat(r.body()).isEqualTo(count);
    }

    @Test
    void headHasTheLengthButNoBody() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            RawHttp.Response head = c.send("HEAD /count.html HTTP/1.1\r\nHost: t\r\n\r\n").readResponse(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo(Long.toString(Files.size(SEED_COUNT)));
            // the next response on the connection starts right after the head: no body was sent
            RawHttp.Response next = c.send("GET /dir/ HTTP/1.1\r\nHost: t\r\n\r\n").readResponse(false);
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).isEqualTo("<h1>index</h1>");
        }
    }

    @Test
    void validatorsGive304() throws Exception {
        HttpResponse<String> first = get("/data.txt");
        String etag = first.headers().firstValue("etag").orElseThrow();
        String lastModified = first.headers().firstValue("last-modified").orElseThrow();
        HttpResponse<String> byTag = get("/data.txt", "If-None-Match", etag);
        assertThat(byTag.statusCode()).isEqualTo(304);
        assertThat(byTag.body()).isEmpty();
        assertThat(byTag.headers().firstValue("etag")).hasValue(etag);
        assertThat(get("/data.txt", "If-Modified-Since", lastModified).statusCode()).isEqualTo(304);
        assertThat(get("/data.txt", "If-None-Match", "\"other\"", "If-Modified-Since", lastModified).statusCode())
                .isEqualTo(200);
    }

    @Test
    void singleRangeAndIfRange() throws Exception {
        HttpResponse<String> r = get("/data.txt", "Range", "bytes=5-14");
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.headers().firstValue("content-range")).hasValue("bytes 5-14/1000");
        assertThat(r.body()).isEqualTo("5678901234");
        String etag = r.headers().firstValue("etag").orElseThrow();
        assertThat(get("/data.txt", "Range", "bytes=5-14", "If-Range", etag).statusCode()).isEqualTo(206);
        HttpResponse<String> stale = get("/data.txt", "Range", "bytes=5-14", "If-Range", "\"stale\"");
        assertThat(stale.statusCode()).isEqualTo(200);
        assertThat(stale.body()).hasSize(1000);
    }

    @Test
    void multipleRangesAreMultipartOverTheWire() throws Exception {
        RawHttp.Response r = raw("GET /data.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-1,500-502,-3\r\n\r\n", false);
        assertThat(r.status()).isEqualTo(206);
        String type = r.header("content-type");
        assertThat(type).startsWith("multipart/byteranges; boundary=");
        String b = type.substring(type.indexOf('=') + 1);
        assertThat(r.body()).isEqualTo(
                "--" + b + "\r\nContent-Type: text/plain;charset=utf-8\r\nContent-Range: bytes 0-1/1000\r\n\r\n01"
                + "\r\n--" + b + "\r\nContent-Type: text/plain;charset=utf-8\r\nContent-Range: bytes 500-502/1000\r\n\r\n012"
                + "\r\n--" + b + "\r\nContent-Type: text/plain;charset=utf-8\r\nContent-Range: bytes 997-999/1000\r\n\r\n789"
                + "\r\n--" + b + "--\r\n");
    }

    @Test
    void unsatisfiableRangeIs416() throws Exception {
        RawHttp.Response r = raw("GET /data.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=4000-\r\n\r\n", false);
        assertThat(r.status()).isEqualTo(416);
        assertThat(r.header("content-range")).isEqualTo("bytes */1000");
    }

    @Test
    void indexFileAndCoreAnswers() throws Exception {
        HttpResponse<String> dir = get("/dir/");
        assertThat(dir.statusCode()).isEqualTo(200);
        assertThat(dir.headers().firstValue("content-type")).hasValue("text/html");
        assertThat(dir.body()).isEqualTo("<h1>index</h1>");
        assertThat(get("/secret.php").statusCode()).isEqualTo(403);
        assertThat(get("/missing.txt").statusCode()).isEqualTo(404);
    }

    @Test
    void accessLogLinesGoToTheFileAndThroughThePipe() throws Exception {
        get("/data.txt?ignored=1", "Range", "bytes=0-9");
        get("/piped/p.txt");
        await(() -> lines(accessLog).stream().anyMatch(l -> l.equals("127.0.0.1 GET /data.txt 206 10 \"bytes=0-9\"")));
        await(() -> lines(pipedLog).contains("127.0.0.1 GET /piped/p.txt 200 5 \"-\""));
        assertThat(lines(accessLog)).noneMatch(l -> l.contains("/piped/"));
    }

    @Test
    void keepAliveCountIsTheRequestsBeforeThisOneOnItsConnection() throws Exception {
        // lighttpd's %k: request_count - 1, so 0 for a connection's first request and for a new connection
        try (TestServer own = TestServer.start("""
                server.modules = ("mod_accesslog")
                accesslog.filename = "@DOCROOT@/../keepalive.log"
                accesslog.format = "%k %U %X"
                """)) {
            Files.writeString(own.docroot().resolve("k.txt"), "k");
            Path log = own.docroot().resolve("../keepalive.log").normalize();
            try (RawHttp c = RawHttp.connect(own.port(), T)) {
                for (String path : List.of("/k.txt", "/missing", "/k.txt")) {
                    c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
                    c.readResponse(false);
                }
            }
            try (RawHttp c = RawHttp.connect(own.port(), T)) {
                c.send("GET /k.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                c.readResponse(false);
            }
            await(() -> lines(log).size() >= 4);
            assertThat(lines(log)).containsExactly("0 /k.txt +", "1 /missing +", "2 /k.txt +", "0 /k.txt -");
        }
    }

    @Test
    void unknownAccessLogDirectiveStopsStartUpNamingIt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestServer.start(
                "server.modules = (\"mod_accesslog\")\naccesslog.format = \"%h %Z\"\n").close())
                .isInstanceOf(io.lightgate.config.ConfigException.class)
                .hasMessageContaining("accesslog.format").hasMessageContaining("unknown directive %Z");
    }

    private static List<String> lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + T + "; access.log=" + lines(accessLog) + " piped.log="
                        + lines(pipedLog));
            }
            Thread.sleep(20);
        }
    }
}
