package io.lightgate.modules.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lightgate.testing.ChunkedUpload;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Request and response bodies streamed through mod_proxy, both framings each way, with back-pressure. */
@ExtendWith(LeakGuard.class)
class ProxyBodiesTest {
    private static final int UPLOAD = 8 << 20;
    private static final long DOWNLOAD = 64L << 20;

    static byte pattern(long i) {
        return (byte) (i * 31 + (i >>> 11));
    }

    private static byte[] patterned(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = pattern(i);
        }
        return b;
    }

    private static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }

    /** Reads a request body as the head frames it (Content-Length or chunked) and answers its length and CRC. */
    private static ProxyBackend bodyEcho() throws IOException {
        return new ProxyBackend(c -> {
            String head = c.readHead();
            if (head == null) {
                return;
            }
            byte[] body = head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked\r\n")
                    ? dechunk(c.in) : c.readBytes(contentLength(head));
            String answer = body.length + " " + crc(body);
            c.write("HTTP/1.1 200 OK\r\nContent-Length: " + answer.length() + "\r\n\r\n" + answer);
        });
    }

    static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).strip());
            }
        }
        return 0;
    }

    static byte[] dechunk(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            int n = Integer.parseInt(size.split(";")[0].strip(), 16);
            if (n == 0) {
                while (!line(in).isEmpty()) {
                    // trailers
                }
                return out.toByteArray();
            }
            out.writeBytes(in.readNBytes(n));
            if (!line(in).isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                if (b.isEmpty() || b.charAt(b.length() - 1) != '\r') {
                    throw new IOException("bare LF");
                }
                return b.substring(0, b.length() - 1);
            }
            b.append((char) c);
        }
        throw new IOException("EOF in a line");
    }

    @Test
    void contentLengthUploadOf8MiB() throws Exception {
        byte[] body = patterned(UPLOAD);
        try (ProxyBackend backend = bodyEcho();
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), ""))) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(s.uri("/up"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(UPLOAD + " " + crc(body));
            assertThat(backend.heads.getFirst()).contains("Content-Length: " + UPLOAD + "\r\n");
        }
    }

    @Test
    void chunkedUploadOf8MiBIsForwardedChunked() throws Exception {
        byte[] body = patterned(UPLOAD);
        try (ProxyBackend backend = bodyEcho();
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), ""));
             RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(30))) {
            c.send("PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
            OutputStream out = c.outputStream();
            for (int off = 0; off < body.length; off += 100_000) {
                int n = Math.min(100_000, body.length - off);
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(body, off, n);
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(UPLOAD + " " + crc(body));
            assertThat(backend.heads.getFirst()).contains("Transfer-Encoding: chunked\r\n")
                    .doesNotContain("Content-Length");
        }
    }

    @Test
    void forceHttp10ReadsAChunkedUploadWholeAndSendsItWithContentLength(@TempDir Path uploads) throws Exception {
        try (ProxyBackend backend = bodyEcho();
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(),
                     "proxy.header = ( \"force-http10\" => \"enable\" )\n"
                             + "server.upload-dirs = ( \"" + uploads + "\" )\n"))) {
            byte[] big = patterned(2 << 20); // past the spool's memory limit: through a temp file
            for (byte[] body : List.of("hello, world".getBytes(StandardCharsets.US_ASCII), big)) {
                try (RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(30))) {
                    c.send("PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
                    ChunkedUpload.write(c.outputStream(), body, body.length < 100 ? new int[] {5, 1, 6}
                            : ChunkedUpload.ODD_SIZES);
                    RawHttp.Response r = c.readResponse(false);
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.body()).isEqualTo(body.length + " " + crc(body));
                }
                assertThat(backend.heads.getLast()).startsWith("PUT /up HTTP/1.0\r\n")
                        .contains("Content-Length: " + body.length + "\r\n")
                        .doesNotContainIgnoringCase("Transfer-Encoding");
            }
            assertThat(ChunkedUpload.entries(uploads)).isZero();
            assertThat(ChunkedUpload.openFilesIn(uploads)).isZero();
        }
    }

    /** Sends 64 MiB of the pattern framed as {@code framing}; counts what it wrote. */
    private static ProxyBackend download(String framing, AtomicLong written) throws IOException {
        return new ProxyBackend(c -> {
            c.readHead();
            OutputStream out = c.out;
            switch (framing) {
                case "length" -> c.write("HTTP/1.1 200 OK\r\nContent-Length: " + DOWNLOAD + "\r\n\r\n");
                case "chunked" -> c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                default -> c.write("HTTP/1.0 200 OK\r\n\r\n");
            }
            byte[] block = new byte[65536];
            for (long off = 0; off < DOWNLOAD; off += block.length) {
                for (int i = 0; i < block.length; i++) {
                    block[i] = pattern(off + i);
                }
                if (framing.equals("chunked")) {
                    out.write((Integer.toHexString(block.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                out.write(block);
                if (framing.equals("chunked")) {
                    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
                written.addAndGet(block.length);
            }
            if (framing.equals("chunked")) {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            out.flush();
        });
    }

    private void downloadWithAPausingClient(String framing) throws Exception {
        AtomicLong written = new AtomicLong();
        try (ProxyBackend backend = download(framing, written);
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), ""))) {
            HttpResponse<InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(s.uri("/down"))
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            try (InputStream in = r.body()) {
                byte[] first = in.readNBytes(1 << 20);
                // the client stops reading: the backend must be held back (its writes block), not buffered by us
                long stalled = waitUntilStable(written);
                assertThat(stalled).as("bytes the backend could write while the client read nothing")
                        .isLessThan(24L << 20);
                long total = first.length;
                for (int i = 0; i < first.length; i++) {
                    assertThat(first[i]).isEqualTo(pattern(i));
                }
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] != pattern(total + i)) {
                            throw new AssertionError("byte " + (total + i) + " differs");
                        }
                    }
                    total += n;
                }
                assertThat(total).isEqualTo(DOWNLOAD);
            }
        }
    }

    /** Waits until {@code counter} stopped moving for a while; returns its value. */
    private static long waitUntilStable(AtomicLong counter) throws InterruptedException {
        long last = -1;
        int still = 0;
        while (still < 5) {
            Thread.sleep(200);
            long now = counter.get();
            still = now == last ? still + 1 : 0;
            last = now;
        }
        return last;
    }

    @Test
    void contentLengthDownloadOf64MiBWithAClientThatPauses() throws Exception {
        downloadWithAPausingClient("length");
    }

    @Test
    void chunkedDownloadOf64MiBWithAClientThatPauses() throws Exception {
        downloadWithAPausingClient("chunked");
    }

    @Test
    void closeDelimitedDownloadOf64MiBWithAClientThatPauses() throws Exception {
        downloadWithAPausingClient("close");
    }

    @Test
    void headRelaysTheLengthWithoutABody() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.readHead();
                c.write("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nX-B: 1\r\n\r\n");
            });
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), ""));
             RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
            c.send("HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n");
            RawHttp.Response r = c.readResponse(true);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Length")).isEqualTo("1234");
            assertThat(r.header("X-B")).isEqualTo("1");
            c.send("HEAD /y HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
            assertThat(c.readResponse(true).status()).as("keep-alive works after a HEAD").isEqualTo(200);
        }
    }

    @Test
    void shortContentLengthBodyIsTruncatedAndTheConnectionClosed() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.readHead();
                c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
            });
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), ""))) {
            String raw = RawHttp.exchange(s.port(), "GET /x HTTP/1.1\r\nHost: h\r\n\r\n", Duration.ofSeconds(10));
            RawHttp.Response r = RawHttp.parse(raw);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Length")).isEqualTo("100");
            assertThat(r.body()).isEqualTo("only this").as("closed, not padded, not timed out");
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(s.uri("/x")).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        }
    }

    @Test
    void chunkedBodyWithoutItsLastChunkIsTruncated() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.readHead();
                c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            });
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), ""))) {
            String raw = RawHttp.exchange(s.port(), "GET /x HTTP/1.1\r\nHost: h\r\n\r\n", Duration.ofSeconds(10));
            assertThat(RawHttp.parse(raw).body()).as("the chunk, no last chunk, closed (no timeout)")
                    .isEqualTo("5\r\nhello\r\n");
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(s.uri("/x")).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        }
    }

    @Test
    void anEarlyAnswerBeforeTheWholeUploadEndsTheBackendAndReadsTheRest() throws Exception {
        byte[] body = patterned(UPLOAD);
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.readHead();
                c.readBytes(1000);
                c.write("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 4\r\n\r\nbig!");
                c.in.readAllBytes(); // until the proxy closes
            });
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), ""));
             RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(20))) {
            c.send("PUT /up HTTP/1.1\r\nHost: h\r\nContent-Length: " + UPLOAD + "\r\n\r\n");
            Thread.ofVirtual().start(() -> {
                try {
                    c.outputStream().write(body);
                    c.outputStream().flush();
                } catch (IOException e) {
                    // the test reads the answer either way
                }
            });
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.body()).isEqualTo("big!");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (backend.events.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(backend.events).containsExactly("done");
        }
    }

    @Test
    void clientLeavingMidDownloadClosesTheBackend() throws Exception {
        AtomicLong written = new AtomicLong();
        try (ProxyBackend backend = download("chunked", written);
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(), ""))) {
            try (RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
                c.send("GET /down HTTP/1.1\r\nHost: h\r\n\r\n");
                assertThat(c.readResponse(true).status()).isEqualTo(200);
                c.readBytes(100_000);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (backend.events.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(backend.events).as("the backend's writes fail once the proxy closed it")
                    .singleElement().asString().startsWith("error:");
            assertThat(written.get()).isLessThan(DOWNLOAD);
        }
    }

    @Test
    void responseHeadersAreRewrittenForTheClient() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.readHead();
                c.write("HTTP/1.1 302 Found\r\nLocation: http://backend.lan/in/next\r\n"
                        + "Set-Cookie: s=1; Domain=backend.lan; Path=/in\r\nContent-Length: 0\r\n\r\n");
            });
             TestServer s = TestServer.start(ProxyUpgradeTest.config(backend.port(),
                     "proxy.header = ( \"map-host-request\" => ( \"-\" => \"backend.lan\" ), "
                             + "\"map-host-response\" => ( \"-\" => \"-\" ), \"map-urlpath\" => ( \"/out\" => \"/in\" ) )\n"));
             RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(10))) {
            c.send("GET /out/page HTTP/1.1\r\nHost: www.example.org\r\n\r\n");
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(302);
            assertThat(r.header("Location")).isEqualTo("http://www.example.org/out/next");
            assertThat(r.header("Set-Cookie")).isEqualTo("s=1; Domain=www.example.org; Path=/out");
            assertThat(backend.heads.getFirst()).startsWith("GET /in/page HTTP/1.1\r\nHost: backend.lan\r\n")
                    .contains("X-Forwarded-Host: www.example.org\r\n");
        }
    }

    @Test
    void replaceHttpHostSendsTheHostLabel() throws Exception {
        try (ProxyBackend backend = new ProxyBackend(c -> {
                c.readHead();
                c.write("HTTP/1.1 204 No Content\r\n\r\n");
            });
             TestServer s = TestServer.start("server.modules = (\"mod_proxy\")\nproxy.replace-http-host = \"enable\"\n"
                     + "proxy.server = ( \"/\" => ( \"app.internal\" => ( \"host\" => \"127.0.0.1\", \"port\" => "
                     + backend.port() + " ) ) )\n")) {
            RawHttp.exchange(s.port(), "GET / HTTP/1.1\r\nHost: www.example.org\r\nConnection: close\r\n\r\n",
                    Duration.ofSeconds(10));
            assertThat(backend.heads.getFirst()).startsWith("GET / HTTP/1.1\r\nHost: app.internal\r\n");
        }
    }
}
