package io.lightgate.modules.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.ChunkedUpload;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** mod_fastcgi against a real FastCGI application over TCP (lightgate's own codecs), with real clients. */
@ExtendWith(LeakGuard.class)
class FastCgiModuleTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    static String config(String key, int port, String options, String extra) {
        return "server.modules = (\"mod_fastcgi\")\n" + extra
                + "fastcgi.server = ( \"" + key + "\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => " + port
                + options + " ) ) )\n";
    }

    static String noCheckLocal(int port, String options) {
        return config("/app/", port, ", \"check-local\" => \"disable\"" + options, "");
    }

    private static final FastCgiTestBackend.Script HELLO = c -> {
        c.readStdin();
        c.stdout("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nhello from fastcgi");
        c.endRequest(0);
    };

    private static HttpResponse<String> get(TestServer s, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(s.uri(path)).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static int freePort() throws Exception {
        try (ServerSocket ss = new ServerSocket()) {
            ss.bind(new InetSocketAddress("127.0.0.1", 0));
            return ss.getLocalPort();
        }
    }

    @Test
    void responderGetsRequestIdOneRoleResponderNoKeepConnAndTheEnvironment() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (FastCgiTestBackend backend = new FastCgiTestBackend(c -> {
                HELLO.run(c);
                seen.addAll(c.seen);
            });
             TestServer s = TestServer.start(noCheckLocal(backend.port(), ""))) {
            HttpResponse<String> r = get(s, "/app/index.php/tail?x=y");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hello from fastcgi");
            FastCgiTestBackend.Begin begin = backend.requests.getFirst();
            assertThat(begin.id()).isEqualTo(1);
            assertThat(begin.role()).isEqualTo(FastCgi.RESPONDER);
            assertThat(begin.flags()).isZero();
            assertThat(begin.params().firstEntry()).isEqualTo(Map.entry("CONTENT_LENGTH", "0"));
            assertThat(begin.params()).containsEntry("SCRIPT_NAME", "/app/index.php")
                    .containsEntry("PATH_INFO", "/tail")
                    .containsEntry("QUERY_STRING", "x=y")
                    .containsEntry("SCRIPT_FILENAME", s.docroot() + "/app/index.php")
                    .containsEntry("REQUEST_METHOD", "GET");
            assertThat(seen).containsExactly("STDIN end");
        }
    }

    @Test
    void eightMebibytesUpInStdinRecordsAndDownToASlowClient() throws Exception {
        byte[] upload = new byte[8 << 20];
        new Random(11).nextBytes(upload);
        int down = 8 << 20;
        List<String> seen = new CopyOnWriteArrayList<>();
        try (FastCgiTestBackend backend = new FastCgiTestBackend(c -> {
                byte[] body = c.readStdin();
                seen.addAll(c.seen);
                c.stdout("Status: 200 OK\r\nX-Body-Sha: " + sha(body) + "\r\n\r\n");
                byte[] block = new byte[60_000];
                for (int i = 0; i < block.length; i++) {
                    block[i] = (byte) (i % 251);
                }
                for (int sent = 0; sent < down; sent += block.length) {
                    c.stdout(java.util.Arrays.copyOf(block, Math.min(block.length, down - sent)));
                }
                c.endRequest(0);
            });
             TestServer s = TestServer.start(noCheckLocal(backend.port(), ""))) {
            HttpResponse<String> up = CLIENT.send(HttpRequest.newBuilder(s.uri("/app/up")).timeout(TIMEOUT)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(up.headers().firstValue("X-Body-Sha")).hasValue(sha(upload));
            assertThat(backend.requests.getFirst().params()).containsEntry("CONTENT_LENGTH", Integer.toString(upload.length));
            assertThat(seen.getLast()).isEqualTo("STDIN end");
            assertThat(seen.subList(0, seen.size() - 1)).allSatisfy(r -> {
                int n = Integer.parseInt(r.substring("STDIN ".length()));
                assertThat(n).isBetween(1, 65535);
            });

            try (RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(30))) {
                c.send("GET /app/down HTTP/1.0\r\n\r\n");
                assertThat(c.readResponse(true).status()).isEqualTo(200);
                long total = 0;
                boolean ordered = true;
                while (true) {
                    byte[] piece = c.readBytes(256 * 1024);
                    for (int i = 0; i < piece.length; i++) {
                        ordered &= piece[i] == (byte) (((total + i) % 60_000) % 251);
                    }
                    total += piece.length;
                    if (piece.length < 256 * 1024) {
                        break;
                    }
                    Thread.sleep(20);
                }
                assertThat(total).isEqualTo(down);
                assertThat(ordered).isTrue();
            }
        }
    }

    @Test
    void recordsSplitAtEveryByteStderrLoggedLineByLineUnknownTypesLogged() throws Exception {
        try (FastCgiTestBackend backend = new FastCgiTestBackend(c -> {
                c.readStdin();
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                all.writeBytes(c.encoded(FastCgi.STDERR, "first problem\nsecond ".getBytes(StandardCharsets.ISO_8859_1)));
                all.writeBytes(c.encoded(FastCgi.STDOUT, "Status: 200\r\nContent-Type: text/plain\r\n\r\nbyte by "
                        .getBytes(StandardCharsets.ISO_8859_1)));
                all.writeBytes(c.encoded(FastCgi.STDERR, "problem\n".getBytes(StandardCharsets.ISO_8859_1)));
                all.writeBytes(c.encoded(20, "a record type FastCGI 1.0 lacks".getBytes(StandardCharsets.ISO_8859_1)));
                all.writeBytes(c.encoded(FastCgi.STDOUT, "byte".getBytes(StandardCharsets.ISO_8859_1)));
                all.writeBytes(c.encodedEndRequest());
                for (byte b : all.toByteArray()) {
                    c.raw(new byte[] {b});
                }
            });
             TestServer s = TestServer.start(noCheckLocal(backend.port(), ""))) {
            HttpResponse<String> r = get(s, "/app/x");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("byte by byte");
            List<String> stderr = s.errorLines("mod_fastcgi").stream().filter(l -> l.contains("FastCGI-stderr")).toList();
            assertThat(stderr).hasSize(2);
            assertThat(stderr.get(0)).endsWith("first problem").contains("127.0.0.1:" + backend.port());
            assertThat(stderr.get(1)).endsWith("second problem");
            assertThat(s.errorLines("mod_fastcgi")).anyMatch(l -> l.contains("record of type 20"));
        }
    }

    @Test
    void endRequestMidStreamEndsTheBody() throws Exception {
        try (FastCgiTestBackend backend = new FastCgiTestBackend(c -> {
                c.readStdin();
                c.stdout("Status: 200\r\n\r\npart one");
                c.endRequest(0);
                c.stdout("never seen");
                Thread.sleep(3000); // keeps the socket open: END_REQUEST alone must end the response
            });
             TestServer s = TestServer.start(noCheckLocal(backend.port(), ""))) {
            long start = System.nanoTime();
            HttpResponse<String> r = get(s, "/app/x");
            assertThat(r.body()).isEqualTo("part one");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
        }
    }

    @Test
    void authorizerAllowsWithVariablesAndTheResponderGetsThem() throws Exception {
        try (FastCgiTestBackend auth = new FastCgiTestBackend(c -> {
                c.stdout("Status: 200\r\nVariable-X-User: alice\r\n\r\n");
                c.endRequest(0);
            });
             FastCgiTestBackend responder = new FastCgiTestBackend(HELLO)) {
            String conf = "server.modules = (\"mod_fastcgi\")\n"
                    + "fastcgi.server = ( \"/\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => " + auth.port()
                    + ", \"mode\" => \"authorizer\", \"check-local\" => \"disable\" ) ),\n"
                    + "  \".php\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => " + responder.port() + " ) ) )\n";
            try (TestServer s = TestServer.start(conf)) {
                Files.writeString(s.docroot().resolve("page.txt"), "static page");
                Files.writeString(s.docroot().resolve("run.php"), "<?php");
                HttpResponse<String> page = get(s, "/page.txt");
                assertThat(page.statusCode()).isEqualTo(200);
                assertThat(page.body()).isEqualTo("static page");
                FastCgiTestBackend.Begin a = auth.requests.getFirst();
                assertThat(a.role()).isEqualTo(FastCgi.AUTHORIZER);
                assertThat(a.params()).doesNotContainKey("CONTENT_LENGTH").doesNotContainKey("SCRIPT_NAME");

                HttpResponse<String> php = get(s, "/run.php");
                assertThat(php.body()).isEqualTo("hello from fastcgi");
                assertThat(auth.requests).hasSize(2);
                assertThat(responder.requests.getFirst().params()).containsEntry("X_USER", "alice");
            }
        }
    }

    @Test
    void authorizerDenialGoesToTheClient() throws Exception {
        try (FastCgiTestBackend auth = new FastCgiTestBackend(c -> {
                c.stdout("Status: 403 Forbidden\r\nContent-Type: text/plain\r\nVariable-Secret: x\r\n\r\nno entry");
                c.endRequest(0);
            });
             TestServer s = TestServer.start(config("/", auth.port(),
                     ", \"mode\" => \"authorizer\", \"check-local\" => \"disable\"", ""))) {
            Files.writeString(s.docroot().resolve("page.txt"), "static page");
            HttpResponse<String> r = get(s, "/page.txt");
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).isEqualTo("no entry");
            assertThat(r.headers().firstValue("Variable-Secret")).isEmpty();
        }
    }

    @Test
    void upgradeWrapsClientBytesInStdinAndUnwrapsStdout() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (FastCgiTestBackend backend = new FastCgiTestBackend(c -> {
                c.stdout("Status: 101 Switching Protocols\r\nUpgrade: echo\r\n\r\n");
                byte[] chunk;
                while ((chunk = c.readStdinChunk()) != null) {
                    c.stdout(chunk);
                }
                seen.addAll(c.seen);
                c.stdout("bye");
                c.endRequest(0);
            });
             TestServer s = TestServer.start(noCheckLocal(backend.port(), ", \"upgrade\" => \"enable\""))) {
            try (RawHttp c = RawHttp.connect(s.port(), TIMEOUT)) {
                c.send("GET /app/ws HTTP/1.1\r\nHost: h\r\nUpgrade: echo\r\nConnection: upgrade\r\n\r\n");
                RawHttp.Response head = c.readResponse(true);
                assertThat(head.status()).isEqualTo(101);
                c.send("hello 1");
                assertThat(c.readExactly(7)).isEqualTo("hello 1");
                c.send("hello 2");
                assertThat(c.readExactly(7)).isEqualTo("hello 2");
                c.shutdownOutput();
                assertThat(c.readUntilClosed()).isEqualTo("bye");
            }
            assertThat(seen).as("client bytes as STDIN records, never terminated; half-close is EOF")
                    .containsExactly("STDIN 7", "STDIN 7", "EOF");
            assertThat(backend.requests.getFirst().params()).containsEntry("HTTP_UPGRADE", "echo");
        }
    }

    @Test
    void withoutUpgradeNoHttpUpgradeAndStdinIsTerminated() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (FastCgiTestBackend backend = new FastCgiTestBackend(c -> {
                HELLO.run(c);
                seen.addAll(c.seen);
            });
             TestServer s = TestServer.start(noCheckLocal(backend.port(), ""))) {
            String raw = RawHttp.exchange(s.port(), "GET /app/ws HTTP/1.1\r\nHost: h\r\nUpgrade: echo\r\n"
                    + "Connection: upgrade, close\r\n\r\n", TIMEOUT);
            assertThat(RawHttp.parse(raw).status()).isEqualTo(200);
            assertThat(backend.requests.getFirst().params()).doesNotContainKey("HTTP_UPGRADE");
            assertThat(seen).containsExactly("STDIN end");
        }
    }

    @Test
    void failures() throws Exception {
        try (TestServer s = TestServer.start(noCheckLocal(freePort(), ""))) {
            assertThat(get(s, "/app/x").statusCode()).as("backend gone").isEqualTo(503);
        }
        try (FastCgiTestBackend backend = new FastCgiTestBackend(c -> Thread.sleep(5000));
             TestServer s = TestServer.start(noCheckLocal(backend.port(), ", \"read-timeout\" => 1"))) {
            assertThat(get(s, "/app/x").statusCode()).as("read-timeout").isEqualTo(504);
        }
        try (FastCgiTestBackend backend = new FastCgiTestBackend(HELLO);
             TestServer s = TestServer.start(noCheckLocal(backend.port(), "")
                     + "server.max-request-field-size = 262144\n")) {
            String raw = RawHttp.exchange(s.port(), "GET /app/x HTTP/1.1\r\nHost: h\r\nX-Same: 1\r\nX_Same: 2\r\n"
                    + "Connection: close\r\n\r\n", TIMEOUT);
            assertThat(RawHttp.parse(raw).status()).as("header collision").isEqualTo(400);
            String big = "y".repeat(40_000);
            raw = RawHttp.exchange(s.port(), "GET /app/x HTTP/1.1\r\nHost: h\r\nX-One: " + big + "\r\nX-Two: " + big
                    + "\r\nConnection: close\r\n\r\n", TIMEOUT);
            assertThat(RawHttp.parse(raw).status()).as("params over one record").isEqualTo(400);
            assertThat(backend.requests).isEmpty();
        }
    }

    @Test
    void aBackendThatDoesNotSpeakFastCgiIsRefusedWithALogLine() throws Exception {
        try (FastCgiTestBackend backend = new FastCgiTestBackend(c -> {
                c.raw("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                Thread.sleep(3000);
            });
             TestServer s = TestServer.start(noCheckLocal(backend.port(), ""))) {
            assertThat(get(s, "/app/x").statusCode()).isEqualTo(500);
            assertThat(s.errorLines("mod_fastcgi")).anyMatch(l -> l.contains("FastCGI record of version"));
        }
    }

    @Test
    void clientsLeavingMidBodyAndMidTunnelFreeTheBackendConnections() throws Exception {
        java.util.concurrent.atomic.AtomicInteger gone = new java.util.concurrent.atomic.AtomicInteger();
        try (FastCgiTestBackend backend = new FastCgiTestBackend(c -> {
                if (c.env().get("QUERY_STRING").equals("warm-up")) {
                    HELLO.run(c);
                    return;
                }
                boolean upgrade = c.env().containsKey("HTTP_UPGRADE");
                c.stdout(upgrade ? "Status: 101\r\nUpgrade: echo\r\n\r\n" : "Status: 200\r\n\r\n");
                try {
                    while (true) {
                        c.stdout("tick ");
                        Thread.sleep(20);
                    }
                } catch (java.io.IOException e) {
                    gone.incrementAndGet();
                }
            });
             // an endless answer needs streaming (lighttpd's default holds the answer until it ends, too)
             TestServer s = TestServer.start(config("/app/", backend.port(),
                     ", \"check-local\" => \"disable\", \"upgrade\" => \"enable\"",
                     "server.stream-response-body = 1\n"))) {
            assertThat(get(s, "/app/x?warm-up").statusCode()).isEqualTo(200);
            long before = io.lightgate.testing.OpenFds.count();
            for (int i = 0; i < 10; i++) {
                try (RawHttp c = RawHttp.connect(s.port(), TIMEOUT)) {
                    c.send(i % 2 == 0 ? "GET /app/body HTTP/1.1\r\nHost: h\r\n\r\n"
                            : "GET /app/ws HTTP/1.1\r\nHost: h\r\nUpgrade: echo\r\nConnection: upgrade\r\n\r\n");
                    assertThat(c.readResponse(true).status()).isIn(200, 101);
                    c.readBytes(10);
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (gone.get() < 10 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(gone.get()).as("every backend saw its connection end").isGreaterThanOrEqualTo(10);
            Thread.sleep(200);
            assertThat(io.lightgate.testing.OpenFds.count()).as(io.lightgate.testing.OpenFds.describe())
                    .isLessThanOrEqualTo(before + 1);
        }
    }

    @Test
    void checkLocalMissingFileIs404() throws Exception {
        try (FastCgiTestBackend backend = new FastCgiTestBackend(HELLO);
             TestServer s = TestServer.start(config(".php", backend.port(), "", ""))) {
            assertThat(get(s, "/nope.php").statusCode()).isEqualTo(404);
            assertThat(backend.connections.get()).isZero();
        }
    }

    @Test
    void aChunkedBodyIsReadWholeAndReachesTheBackendWithItsContentLength(@TempDir Path uploads) throws Exception {
        try (FastCgiTestBackend backend = new FastCgiTestBackend(c -> {
                byte[] body = c.readStdin();
                c.stdout("Status: 200 OK\r\nX-Body-Sha: " + sha(body) + "\r\nX-Body-Length: " + body.length
                        + "\r\n\r\n");
                c.endRequest(0);
            });
             TestServer s = TestServer.start(config("/app/", backend.port(), ", \"check-local\" => \"disable\"",
                     "server.upload-dirs = ( \"" + uploads + "\" )\n"))) {
            byte[] big = new byte[1 << 20]; // past the spool's memory limit: through a temp file
            new Random(13).nextBytes(big);
            for (byte[] body : List.of("hello, world".getBytes(StandardCharsets.US_ASCII), big)) {
                try (RawHttp c = RawHttp.connect(s.port(), TIMEOUT)) {
                    c.send("POST /app/up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
                    ChunkedUpload.write(c.outputStream(), body, body.length < 100 ? new int[] {5, 1, 6}
                            : ChunkedUpload.ODD_SIZES);
                    RawHttp.Response r = c.readResponse(true);
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.header("X-Body-Length")).isEqualTo(Integer.toString(body.length));
                    assertThat(r.header("X-Body-Sha")).isEqualTo(sha(body));
                }
                assertThat(backend.requests.getLast().params())
                        .containsEntry("CONTENT_LENGTH", Integer.toString(body.length));
            }
            assertThat(ChunkedUpload.entries(uploads)).isZero();
            assertThat(ChunkedUpload.openFilesIn(uploads)).isZero();
            assertThat(s.errorLines("mod_fastcgi")).isEmpty();
        }
    }

    static String sha(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
