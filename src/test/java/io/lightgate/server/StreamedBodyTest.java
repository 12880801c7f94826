package io.lightgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.BodyRoutes;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestModule;
import io.lightgate.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Request bodies streamed to a module and streamed response bodies, through a real server and real clients. */
@ExtendWith(LeakGuard.class)
class StreamedBodyTest {
    static final Duration T = Duration.ofSeconds(10);
    private static TestServer server;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        // 1 KiB for requests with "small" in the query, 128 MiB otherwise
        server = TestServer.start("""
                server.modules = ("mod_test")
                server.max-request-size = 131072
                server.max-write-idle = 30
                $HTTP["querystring"] =~ "small" { server.max-request-size = 1 }
                """, TestModule.registry());
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() throws Exception {
        server.errorLines().forEach(l -> System.err.println("ERRORLOG " + l));
        client.close();
        server.close();
    }

    @BeforeEach
    void clearEvents() {
        BodyRoutes.EVENTS.clear();
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String countOf(byte[] body) {
        CRC32 crc = new CRC32();
        crc.update(body);
        return body.length + " " + Long.toHexString(crc.getValue());
    }

    static String pattern(int from, int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = from; i < from + n; i++) {
            s.append((char) BodyRoutes.patternByte(i));
        }
        return s.toString();
    }

    static void awaitEvent(String event) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!BodyRoutes.EVENTS.contains(event) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(BodyRoutes.EVENTS).contains(event);
    }

    // ---- request bodies ---------------------------------------------------------------------------

    @Test
    void contentLengthBodyReachesTheListenerWhole() throws Exception {
        byte[] body = randomBytes(3 << 20, 1);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/body-count"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(countOf(body));
    }

    @Test
    void chunkedBodyWithExtensionsTrailersAndOneByteChunks() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("POST /body-count HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;name=value\r\nhello\r\n1\r\n \r\n1;x\r\nw\r\n1\r\no\r\n1\r\nr\r\n"
                    + "2\r\nld\r\n0\r\nX-Trailer: yes\r\n\r\n");
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(countOf("hello world".getBytes(StandardCharsets.US_ASCII)));
            // the connection goes on
            c.send("GET /echo/next HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(false).body()).isEqualTo("GET /echo/next ");
        }
    }

    @Test
    void emptyAndHttp10BodiesEndAtOnce() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("POST /body-count HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
            assertThat(c.readResponse(false).body()).isEqualTo(countOf(new byte[0]));
            c.send("PUT /body-count HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello");
            assertThat(c.readResponse(false).body()).isEqualTo(countOf("hello".getBytes(StandardCharsets.US_ASCII)));
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void aModuleThatListensLateGetsEveryByte() throws Exception {
        // more than the read-ahead: the rest waits in the socket while the module is not listening
        byte[] body = randomBytes(1 << 20, 2);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/body-count?listenAfterMs=500"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo(countOf(body));
        byte[] small = randomBytes(100, 3);
        r = client.send(HttpRequest.newBuilder(server.uri("/body-count?listenAfterMs=300"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(small)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo(countOf(small));
    }

    @Test
    void jdkClientPublisherBodiesAreChunkedAndArriveWhole() throws Exception {
        byte[] body = randomBytes(5 << 20, 4);
        Supplier<InputStream> source = () -> new java.io.ByteArrayInputStream(body);
        HttpResponse<String> counted = client.send(HttpRequest.newBuilder(server.uri("/body-count"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(source)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(counted.body()).isEqualTo(countOf(body));
        // echoed while it arrives; small enough that a client reading only after sending cannot deadlock
        byte[] small = randomBytes(100_000, 5);
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(server.uri("/body-echo"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(small)))
                        .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("transfer-encoding")).hasValue("chunked");
        assertThat(r.body()).isEqualTo(small);
        assertThat(BodyRoutes.EVENTS).containsExactly("end /body-count " + body.length,
                "started /body-echo", "end /body-echo");
    }

    // ---- streamed responses -----------------------------------------------------------------------

    @Test
    void knownLengthStreamGoesOutWithContentLength() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                server.uri("/stream?n=50&size=1000&length=known")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-length")).hasValue("50000");
        assertThat(r.headers().firstValue("transfer-encoding")).isEmpty();
        assertThat(r.body()).isEqualTo(pattern(0, 50000));
    }

    @Test
    void unknownLengthStreamIsChunkedByteExactAndKeepsTheConnection() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("GET /stream?n=3&size=5&delayMs=20 HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Response head = c.readResponse(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(head.header("Content-Length")).isNull();
            assertThat(head.header("Connection")).isNull();
            String expected = "5\r\nabcde\r\n5\r\nfghij\r\n5\r\nklmno\r\n0\r\n\r\n";
            assertThat(c.readExactly(expected.length())).isEqualTo(expected);
            c.send("GET /echo/after HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(false).body()).isEqualTo("GET /echo/after ");
        }
    }

    @Test
    void http10UnknownLengthIsCloseDelimited() throws Exception {
        String raw = RawHttp.exchange(server.port(),
                "GET /stream?n=4&size=7 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", T);
        RawHttp.Response r = RawHttp.parse(raw);
        assertThat(r.version()).isEqualTo("HTTP/1.0");
        assertThat(r.header("Content-Length")).isNull();
        assertThat(r.header("Transfer-Encoding")).isNull();
        assertThat(r.header("Connection")).isEqualTo("close");
        assertThat(r.body()).isEqualTo(pattern(0, 28));
    }

    @Test
    void http10KnownLengthKeepsAlive() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("GET /stream?n=2&size=3&length=known HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.header("Content-Length")).isEqualTo("6");
            assertThat(r.body()).isEqualTo("abcdef");
            c.send("GET /echo/x HTTP/1.0\r\n\r\n");
            assertThat(c.readResponse(false).body()).isEqualTo("GET /echo/x ");
        }
    }

    @Test
    void pipelinedRequestAfterAStreamedOne() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("GET /stream?n=2&size=3&delayMs=50 HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "POST /body-count HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /stream?n=1&size=4&length=known HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            c.readResponse(true);
            String first = "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n";
            assertThat(c.readExactly(first.length())).isEqualTo(first);
            assertThat(c.readResponse(false).body()).isEqualTo(countOf("abc".getBytes(StandardCharsets.US_ASCII)));
            RawHttp.Response last = c.readResponse(false);
            assertThat(last.body()).isEqualTo("abcd");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void headAnd204And304SendNoBodyAndCancelTheProducer() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("HEAD /stream?n=2&size=5&length=known HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Response head = c.readResponse(true);
            assertThat(head.header("Content-Length")).isEqualTo("10");
            c.send("HEAD /stream?n=2&size=5 HTTP/1.1\r\nHost: a\r\n\r\n");
            head = c.readResponse(true);
            assertThat(head.header("Content-Length")).isNull();
            assertThat(head.header("Transfer-Encoding")).isNull();
            for (int status : new int[] {204, 304}) {
                c.send("GET /stream?n=2&size=5&status=" + status + " HTTP/1.1\r\nHost: a\r\n\r\n");
                RawHttp.Response r = c.readResponse(true);
                assertThat(r.status()).isEqualTo(status);
                assertThat(r.header("Content-Length")).isNull();
                assertThat(r.header("Transfer-Encoding")).isNull();
            }
            // no body byte came between the heads: the next response starts right after
            c.send("GET /echo/last HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(false).body()).isEqualTo("GET /echo/last ");
        }
        assertThat(BodyRoutes.EVENTS).containsExactly("cancel /stream", "cancel /stream", "cancel /stream",
                "cancel /stream");
    }

    @Test
    void anAbortedChunkedBodyHasNoLastChunkAndTheConnectionCloses() throws Exception {
        int before = server.errorLines("h1").size();
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("GET /stream?n=3&size=5&length=abort HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(true).header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(c.readUntilClosed()).isEqualTo("5\r\nabcde\r\n5\r\nfghij\r\n5\r\nklmno\r\n");
        }
        Thread.sleep(50);
        assertThat(server.errorLines("h1")).hasSize(before + 1);
        assertThat(server.errorLines("h1").getLast()).contains("test producer aborts").contains("/stream");
        assertThat(BodyRoutes.EVENTS).containsExactly("started /stream", "abort /stream");
    }

    @Test
    void aProducerEndingShortOfItsLengthLeavesTheClientShort() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("GET /stream?n=3&size=5&length=short HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(true).header("Content-Length")).isEqualTo("25");
            assertThat(c.readUntilClosed()).isEqualTo(pattern(0, 15));
        }
        Thread.sleep(50);
        assertThat(server.errorLines("h1").getLast()).contains("ended after 15 of its declared 25 bytes");
    }

    @Test
    void aProducerWritingPastItsLengthIsStoppedAndTheClientCutShort() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("GET /stream?n=3&size=5&length=long HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(true).header("Content-Length")).isEqualTo("14");
            assertThat(c.readUntilClosed()).isEqualTo(pattern(0, 10));
        }
        Thread.sleep(50);
        assertThat(server.errorLines("h1").getLast()).contains("longer than its declared 14 bytes");
        assertThat(BodyRoutes.EVENTS).containsExactly("started /stream", "cancel /stream");
    }

    @Test
    void aClientLeavingMidStreamCancelsTheProducerOnce() throws Exception {
        TestModule.DONE.clear();
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.getOutputStream().write("GET /stream?n=1000&size=100&delayMs=10 HTTP/1.1\r\nHost: a\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            s.getInputStream().readNBytes(300);
            s.setSoLinger(true, 0); // a reset
        }
        awaitEvent("cancel /stream");
        Thread.sleep(200);
        assertThat(BodyRoutes.EVENTS).containsExactly("started /stream", "cancel /stream");
        // the request is still logged, once
        assertThat(TestModule.DONE).containsExactly("GET /stream?n=1000&size=100&delayMs=10 200");
    }

    @Test
    void aBodyOverTheLimitIs413UnlessTheResponseStarted() throws Exception {
        String chunk = "400\r\n" + "x".repeat(1024) + "\r\n";
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("POST /body-count?small HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + chunk + chunk);
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(413);
            assertThat(c.closedByServer()).isTrue();
        }
        awaitEvent("failed /body-count: request body exceeds server.max-request-size");
        // /body-echo answered at once: its listener fails, it aborts, the client sees the chunked body cut short
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("POST /body-echo?small HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk);
            RawHttp.Response r = c.readResponse(true);
            assertThat(r.status()).isEqualTo(200);
            assertThat(c.readLine()).isEqualTo("400");
            assertThat(c.readExactly(1026)).isEqualTo("x".repeat(1024) + "\r\n");
            c.send(chunk);
            assertThat(c.readUntilClosed()).doesNotContain("0\r\n\r\n").doesNotContain("<<timeout>>");
        }
        awaitEvent("failed /body-echo: request body exceeds server.max-request-size");
    }

    @Test
    void aMalformedChunkFailsTheListener() throws Exception {
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("POST /body-count HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\nzz\r\n");
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(400);
            assertThat(c.closedByServer()).isTrue();
        }
        awaitEvent("failed /body-count: invalid request body: invalid chunk size");
    }

    @Test
    void aBodyNobodyListensToIsDiscardedAfterTheResponse() throws Exception {
        // /slow answers after 1 s without listening; more than the read-ahead waits meanwhile, then is dropped
        byte[] body = randomBytes(2 << 20, 6);
        try (RawHttp c = RawHttp.connect(server.port(), T)) {
            c.send("POST /slow HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n");
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    c.send(new String(body, StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(c.readResponse(false).body()).isEqualTo("POST /slow ");
            writer.join();
            c.send("GET /echo/after HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(false).body()).isEqualTo("GET /echo/after ");
        }
    }

    static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }
}
