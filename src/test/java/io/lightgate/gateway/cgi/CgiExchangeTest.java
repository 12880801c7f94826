package io.lightgate.gateway.cgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestServer;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link CgiExchange} through a real lightgate with {@link TestCgiModule} and a real TCP "program"
 * ({@link ScriptedCgiServer}), with real clients: heads, streamed bodies both ways with slow peers, NPH, the
 * failure statuses and their log lines, upgrade and its refusal, X-Sendfile, a client that leaves.
 */
@ExtendWith(LeakGuard.class)
class CgiExchangeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ScriptedCgiServer scripts;
    private TestServer server;
    private Path sendfileRoot;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    @BeforeEach
    void start() throws Exception {
        scripts = new ScriptedCgiServer();
        sendfileRoot = Files.createTempDirectory("cgi-sendfile");
        String host = "\"host\" => \"127.0.0.1\", \"port\" => " + scripts.port();
        // streamed answers everywhere but under /held/, which holds them as lighttpd's default does
        server = TestServer.start("server.modules = ( \"mod_testcgi\" )\n"
                + "server.stream-response-body = 1\n"
                + "$HTTP[\"url\"] =~ \"/held/\" { server.stream-response-body = 0 }\n"
                + "testcgi.server = (\n"
                + "  \"/to/\" => ( ( " + host + ", \"read-timeout\" => 1 ) ),\n"
                + "  \"/noup/\" => ( ( " + host + " ) ),\n"
                + "  \"/\" => ( ( " + host + ", \"upgrade\" => \"enable\", \"x-sendfile\" => \"enable\",\n"
                + "      \"x-sendfile-docroot\" => ( \"" + sendfileRoot + "\" ) ) )\n"
                + ")\n", TestCgiModule.registry());
    }

    @AfterEach
    void stop() throws Exception {
        server.errorLines().forEach(l -> System.out.println("ERRORLOG " + l));
        scripts.events.forEach(l -> System.out.println("EVENT " + l));
        server.close();
        scripts.close();
        try (var files = Files.list(sendfileRoot)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(sendfileRoot);
        client.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(server.uri(path)).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void headersAndBodyOfAProgram() throws Exception {
        HttpResponse<String> r = get("/hello");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain");
        assertThat(r.headers().firstValue("X-Script")).hasValue("hello");
        assertThat(r.body()).isEqualTo("read 0 bytes");

        HttpResponse<String> post = client.send(HttpRequest.newBuilder(server.uri("/hello")).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString("12345")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.body()).isEqualTo("read 5 bytes");
        assertThat(server.errorLines("mod_testcgi")).isEmpty();
    }

    @Test
    void eightMebibytesUpAndBackWithASlowReader() throws Exception {
        byte[] body = new byte[8 << 20];
        new Random(7).nextBytes(body);
        byte[] back = RawHttp.postReadingSlowly(server.port(), "/echo", body);
        assertThat(back.length).isEqualTo(body.length);
        assertThat(back).isEqualTo(body);
    }

    @Test
    void contentLengthBodyToASlowRawClient() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            c.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response head = c.readResponse(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(ScriptedCgiServer.BIG));
            assertThat(head.header("Transfer-Encoding")).isNull();
            Thread.sleep(300); // the program fills every buffer meanwhile
            long at = 0;
            while (at < ScriptedCgiServer.BIG) {
                byte[] part = c.readBytes((int) Math.min(256 * 1024, ScriptedCgiServer.BIG - at));
                assertThat(part).isNotEmpty();
                for (int i = 0; i < part.length; i++) {
                    if (part[i] != ScriptedCgiServer.pattern(at + i)) {
                        throw new AssertionError("byte " + (at + i) + " differs");
                    }
                }
                at += part.length;
                Thread.sleep(5);
            }
            // the connection stays usable: the body was complete
            c.send("GET /too-long HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.readResponse(false).body()).isEqualTo("hello");
        }
    }

    @Test
    void nphLocationAndExcessBody() throws Exception {
        HttpResponse<String> nph = get("/nph");
        assertThat(nph.statusCode()).isEqualTo(201);
        assertThat(nph.headers().firstValue("X-Nph")).hasValue("yes");
        assertThat(nph.body()).isEqualTo("nph body");

        HttpResponse<String> loc = get("/location");
        assertThat(loc.statusCode()).isEqualTo(302);
        assertThat(loc.headers().firstValue("Location")).hasValue("/elsewhere");

        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            c.send("GET /too-long HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.readResponse(false).body()).isEqualTo("hello");
            c.send("GET /nph HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.readResponse(false).status()).isEqualTo(201); // the excess did not reach this answer
        }
    }

    @Test
    void garbageHeadIs502WithOneLogLine() throws Exception {
        assertThat(get("/garbage").statusCode()).isEqualTo(502);
        await("log line", () -> !server.errorLines("mod_testcgi").isEmpty());
        assertThat(server.errorLines("mod_testcgi")).singleElement().asString()
                .contains("script /garbage").contains("malformed response head").contains("502");
    }

    @Test
    void outputEndingWithoutAByteIs500() throws Exception {
        assertThat(get("/silent").statusCode()).isEqualTo(500);
        assertThat(server.errorLines("mod_testcgi")).singleElement().asString()
                .contains("script /silent").contains("without output").contains("500");
    }

    @Test
    void readTimeoutBeforeTheHeadIs504() throws Exception {
        long t0 = System.nanoTime();
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            // half the announced body: the program waits for the rest and writes nothing
            c.send("POST /to/hang HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
            assertThat(c.readResponse(false).status()).isEqualTo(504);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(server.errorLines("mod_testcgi")).singleElement().asString()
                .contains("script /to/hang").contains("read-timeout").contains("504");
        await("the program's connection closed", () -> scripts.events.contains("hang saw its peer close after 5 bytes"));
    }

    @Test
    void clientLeavingClosesTheProgram() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            c.send("POST /hang HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12345");
            await("script started", () -> scripts.events.contains("hang started"));
        }
        await("the program's connection closed", () -> scripts.events.contains("hang saw its peer close after 5 bytes"));
    }

    // ---- server.stream-response-body = 0: the answer held until complete ----------------------------------

    @Test
    void aHeldAnswerGoesWholeWithItsLengthAndAStreamedOneChunked() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            c.send("GET /held/hello HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Response held = c.readResponse(false);
            assertThat(held.status()).isEqualTo(200);
            assertThat(held.header("Content-Length")).isEqualTo("12");
            assertThat(held.header("Transfer-Encoding")).isNull();
            assertThat(held.header("X-Script")).isEqualTo("hello");
            assertThat(held.body()).isEqualTo("read 0 bytes");
            // the same program with stream-response-body = 1: head first, body chunked, same connection
            c.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            String streamed = c.readUntilClosed();
            assertThat(streamed).contains("\r\nTransfer-Encoding: chunked\r\n").doesNotContain("Content-Length")
                    .endsWith("\r\n\r\nc\r\nread 0 bytes\r\n0\r\n\r\n");
        }
        assertThat(server.errorLines("mod_testcgi")).isEmpty();
    }

    @Test
    void aHeldAnswerWrittenInPiecesGoesAsOneBody() throws Exception {
        HttpResponse<String> r = get("/held/pieces");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Length")).hasValue("13");
        assertThat(r.body()).isEqualTo("one two three");
    }

    @Test
    void aHeldAnswerPastTheHoldLimitIsStreamedBeforeTheProgramEnds() throws Exception {
        int first = ScriptedCgiServer.GROW_CHUNK * ScriptedCgiServer.GROW_CHUNKS;
        assertThat(first).isGreaterThan(CgiExchange.HOLD_LIMIT);
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            c.send("GET /held/grow HTTP/1.1\r\nHost: x\r\n\r\n");
            // the program has not ended: what passed the limit reaches the client chunked
            RawHttp.Response head = c.readResponse(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Transfer-Encoding")).isEqualTo("chunked");
            String some = new String(c.readBytes(CgiExchange.HOLD_LIMIT), StandardCharsets.ISO_8859_1);
            assertThat(scripts.events).containsOnly("grow wrote its first part");
            scripts.growRelease.countDown();
            c.send("GET /held/hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            String rest = some + c.readUntilClosed();
            int end = rest.indexOf("0\r\n\r\nHTTP/1.1 200 OK");
            assertThat(end).as("the chunked body ends before the next answer").isPositive();
            String body = RawHttp.dechunk(rest.substring(0, end + 5));
            assertThat(body).hasSize(first + 3).endsWith("end");
            assertThat(rest.substring(end + 5)).contains("Content-Length: 12").endsWith("read 0 bytes");
        }
    }


    @Test
    void aProgramEndingShortOfItsContentLengthWhileHeldIs502WithOneLogLine() throws Exception {
        assertThat(get("/held/short").statusCode()).isEqualTo(502);
        assertThat(server.errorLines("mod_testcgi")).singleElement().asString()
                .contains("script /held/short").contains("90 bytes short of its Content-Length").contains("502");
    }

    @Test
    void aProgramResetWhileHeldIs502WithOneLogLine() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            // an upgrade candidate, so the program learns (by its stdin's end) that its head was read before it resets
            c.send("GET /held/reset HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n");
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.body()).doesNotContain("partial");
        }
        assertThat(server.errorLines("mod_testcgi")).singleElement().asString()
                .contains("script /held/reset").contains("before the end of its response").contains("502");
    }

    @Test
    void aReadTimeoutWhileHeldIs504AndClosesTheProgram() throws Exception {
        HttpResponse<String> r = get("/to/held/stall");
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(r.body()).doesNotContain("partial");
        assertThat(server.errorLines("mod_testcgi")).singleElement().asString()
                .contains("script /to/held/stall").contains("before the end of its response").contains("504");
        await("the program's connection closed", () -> scripts.events.contains("stall saw its peer close"));
    }

    @Test
    void aClientLeavingWhileHeldClosesTheProgram() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            c.send("GET /held/ticker HTTP/1.1\r\nHost: x\r\n\r\n");
            await("script started", () -> scripts.events.contains("ticker started"));
            Thread.sleep(100); // a few ticks held
        }
        await("the program's connection closed", () -> scripts.events.contains("ticker saw its peer close"));
    }

    @Test
    void upgradeEchoThroughATunnel() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            c.send("GET /upgrade HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n");
            RawHttp.Response r = c.readResponse(true);
            assertThat(r.status()).isEqualTo(101);
            assertThat(r.header("Upgrade")).isEqualTo("echo");
            assertThat(r.header("Content-Length")).isNull();
            assertThat(c.readExactly(5)).isEqualTo("ready");
            c.send("ping");
            assertThat(c.readExactly(4)).isEqualTo("ping");
            c.send("pong pong");
            assertThat(c.readExactly(9)).isEqualTo("pong pong");
            c.shutdownOutput(); // the program sees stdin end, ends its output: the tunnel ends
            assertThat(c.readUntilClosed()).isEmpty();
        }
        await("program done", () -> scripts.finished.get() == 1);
    }

    @Test
    void upgradeCandidateAnsweredWithoutTunnelGetsItsStdinEndedAfterTheHead() throws Exception {
        String raw = RawHttp.exchange(server.port(), "GET /upgrade-refused HTTP/1.1\r\nHost: x\r\n"
                + "Connection: close, Upgrade\r\nUpgrade: echo\r\n\r\n", TIMEOUT);
        RawHttp.Response r = RawHttp.parse(raw);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Upgrade")).isNull();
        assertThat(r.body()).contains("head sent\n").contains("stdin ended\n").doesNotContain("<<timeout>>");
    }

    @Test
    void programEndingRightAfterItsOneOhOneClosesTheClient() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            c.send("GET /crash-after-101 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n");
            assertThat(c.readResponse(true).status()).isEqualTo(101);
            assertThat(c.readUntilClosed()).isEmpty();
        }
    }

    @Test
    void oneOhOneWhereUpgradeIsNotAllowedIs502() throws Exception {
        String raw = RawHttp.exchange(server.port(), "GET /noup/upgrade HTTP/1.1\r\nHost: x\r\n"
                + "Connection: close, Upgrade\r\nUpgrade: echo\r\n\r\n", TIMEOUT);
        assertThat(RawHttp.parse(raw).status()).isEqualTo(502);
        assertThat(server.errorLines("mod_testcgi")).singleElement().asString()
                .contains("script /noup/upgrade").contains("may not upgrade");
    }

    @Test
    void xSendfileSendsTheNamedFileUnderItsDocroot() throws Exception {
        Path file = Files.writeString(sendfileRoot.resolve("data.txt"), "the file's content");
        HttpResponse<String> r = get("/sendfile?" + file);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("the file's content");
        assertThat(r.headers().firstValue("X-Sendfile")).isEmpty();
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain");

        Path outside = Files.createTempFile("cgi-outside", ".txt");
        try {
            assertThat(get("/sendfile?" + outside).statusCode()).isEqualTo(403);
            assertThat(get("/sendfile?" + sendfileRoot.resolve("missing")).statusCode()).isEqualTo(404);
        } finally {
            Files.delete(outside);
        }
        assertThat(server.errorLines("mod_testcgi")).hasSize(2);
        assertThat(new String(Files.readAllBytes(file), StandardCharsets.UTF_8)).isEqualTo("the file's content");
    }
}
