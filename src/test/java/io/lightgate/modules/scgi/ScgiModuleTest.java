package io.lightgate.modules.scgi;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.ChunkedUpload;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestServer;
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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SequencedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** mod_scgi against a real SCGI (and uwsgi) backend over TCP, with real clients. */
@ExtendWith(LeakGuard.class)
class ScgiModuleTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /** scgi.server with one key and one host on {@code port}; {@code options} are more host options. */
    static String config(String key, int port, String options, String extra) {
        return "server.modules = (\"mod_scgi\")\n" + extra
                + "scgi.server = ( \"" + key + "\" => ( ( \"host\" => \"127.0.0.1\", \"port\" => " + port
                + options + " ) ) )\n";
    }

    static String noCheckLocal(int port, String options) {
        return config("/ws/", port, ", \"check-local\" => \"disable\"" + options, "");
    }

    private static final ScgiTestBackend.Script HELLO = c -> {
        c.readBody();
        c.write("Status: 200 OK\r\nContent-Type: text/plain\r\nX-Backend: scgi\r\n\r\nhello from scgi");
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
    void environmentSplitsPathInfoAfterThePrefixKeyAndTheWireIsANetstring() throws Exception {
        try (ScgiTestBackend backend = new ScgiTestBackend(HELLO);
             TestServer s = TestServer.start(noCheckLocal(backend.port(), ""))) {
            HttpResponse<String> r = get(s, "/ws/ws_echo.py/x/y?a=1&b=2");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hello from scgi");
            assertThat(r.headers().firstValue("X-Backend")).hasValue("scgi");
            SequencedMap<String, String> env = backend.heads.getFirst();
            assertThat(env.firstEntry()).isEqualTo(Map.entry("CONTENT_LENGTH", "0"));
            assertThat(env.lastEntry()).isEqualTo(Map.entry("SCGI", "1"));
            assertThat(env).containsEntry("SCRIPT_NAME", "/ws/ws_echo.py")
                    .containsEntry("PATH_INFO", "/x/y")
                    .containsEntry("PATH_TRANSLATED", s.docroot() + "/x/y")
                    .containsEntry("SCRIPT_FILENAME", s.docroot() + "/ws/ws_echo.py")
                    .containsEntry("DOCUMENT_ROOT", s.docroot().toString())
                    .containsEntry("QUERY_STRING", "a=1&b=2")
                    .containsEntry("REQUEST_URI", "/ws/ws_echo.py/x/y?a=1&b=2")
                    .containsEntry("REQUEST_METHOD", "GET")
                    .containsEntry("SERVER_PROTOCOL", "HTTP/1.1")
                    .containsEntry("GATEWAY_INTERFACE", "CGI/1.1")
                    .containsEntry("REDIRECT_STATUS", "200")
                    .containsEntry("SERVER_PORT", Integer.toString(s.port()))
                    .containsEntry("REMOTE_ADDR", "127.0.0.1")
                    .containsKey("HTTP_HOST");
        }
    }

    @Test
    void stripRequestUriDocrootAndFixRootScriptname() throws Exception {
        try (ScgiTestBackend backend = new ScgiTestBackend(HELLO);
             TestServer s = TestServer.start(config("/", backend.port(), ", \"check-local\" => \"disable\", "
                     + "\"strip-request-uri\" => \"/app/\", \"docroot\" => \"/srv/app\", "
                     + "\"fix-root-scriptname\" => \"enable\"", ""))) {
            assertThat(get(s, "/app/page/more?q").statusCode()).isEqualTo(200);
            SequencedMap<String, String> env = backend.heads.getFirst();
            assertThat(env).containsEntry("REQUEST_URI", "/page/more?q")
                    .containsEntry("SCRIPT_NAME", "")
                    .containsEntry("PATH_INFO", "/app/page/more")
                    .containsEntry("DOCUMENT_ROOT", "/srv/app")
                    .containsEntry("SCRIPT_FILENAME", "/srv/app")
                    .containsEntry("PATH_TRANSLATED", "/srv/app/app/page/more");
        }
    }

    @Test
    void checkLocalNeedsTheFileAndThenUsesItsPath() throws Exception {
        try (ScgiTestBackend backend = new ScgiTestBackend(HELLO);
             TestServer s = TestServer.start(config(".scgi", backend.port(), "", ""))) {
            assertThat(get(s, "/missing.scgi").statusCode()).isEqualTo(404);
            assertThat(backend.connections.get()).as("no backend for a missing file").isZero();
            Files.createDirectories(s.docroot().resolve("app"));
            Files.writeString(s.docroot().resolve("app/run.scgi"), "not served itself");
            HttpResponse<String> r = get(s, "/app/run.scgi/extra");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hello from scgi");
            assertThat(backend.heads.getFirst())
                    .containsEntry("SCRIPT_NAME", "/app/run.scgi")
                    .containsEntry("PATH_INFO", "/extra")
                    .containsEntry("SCRIPT_FILENAME", s.docroot().resolve("app/run.scgi").toString());
        }
    }

    @Test
    void checkLocalOffClaimsWithoutAFile() throws Exception {
        try (ScgiTestBackend backend = new ScgiTestBackend(HELLO);
             TestServer s = TestServer.start(config(".scgi", backend.port(), ", \"check-local\" => \"disable\"", ""))) {
            assertThat(get(s, "/nowhere/x.scgi").statusCode()).isEqualTo(200);
            assertThat(backend.heads.getFirst()).containsEntry("SCRIPT_NAME", "/nowhere/x.scgi");
        }
    }

    @Test
    void eightMebibytesUpAndDownToASlowClient() throws Exception {
        byte[] upload = new byte[8 << 20];
        new Random(7).nextBytes(upload);
        int down = 8 << 20;
        try (ScgiTestBackend backend = new ScgiTestBackend(c -> {
                byte[] body = c.readBody();
                c.write("Status: 200 OK\r\nX-Body-Sha: " + sha(body) + "\r\nX-Body-Length: " + body.length + "\r\n\r\n");
                byte[] block = new byte[64 * 1024];
                for (int i = 0; i < block.length; i++) {
                    block[i] = (byte) i;
                }
                for (int sent = 0; sent < down; sent += block.length) {
                    c.out.write(block);
                }
                c.out.flush();
            });
             TestServer s = TestServer.start(noCheckLocal(backend.port(), ""))) {
            HttpResponse<String> up = CLIENT.send(HttpRequest.newBuilder(s.uri("/ws/up")).timeout(TIMEOUT)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(up.statusCode()).isEqualTo(200);
            assertThat(up.headers().firstValue("X-Body-Length")).hasValue(Integer.toString(upload.length));
            assertThat(up.headers().firstValue("X-Body-Sha")).hasValue(sha(upload));
            assertThat(backend.heads.getFirst()).containsEntry("CONTENT_LENGTH", Integer.toString(upload.length));

            // the download: an HTTP/1.0 client (close-delimited body) that reads slowly
            try (RawHttp c = RawHttp.connect(s.port(), Duration.ofSeconds(30))) {
                c.send("GET /ws/down HTTP/1.0\r\n\r\n");
                RawHttp.Response head = c.readResponse(true);
                assertThat(head.status()).isEqualTo(200);
                long total = 0;
                boolean ok = true;
                while (true) {
                    byte[] piece = c.readBytes(256 * 1024);
                    for (int i = 0; i < piece.length; i++) {
                        ok &= piece[i] == (byte) ((total + i) % 65536);
                    }
                    total += piece.length;
                    if (piece.length < 256 * 1024) {
                        break;
                    }
                    Thread.sleep(20);
                }
                assertThat(total).isEqualTo(down);
                assertThat(ok).as("bytes in order").isTrue();
            }
        }
    }

    @Test
    void uwsgiProtocolSendsAPacketAndTooLargeVarsAre431() throws Exception {
        try (ScgiTestBackend backend = new ScgiTestBackend(true, c -> {
                byte[] body = c.readBody();
                c.write("Status: 201 Created\r\n\r\n" + new String(body, StandardCharsets.ISO_8859_1));
            });
             TestServer s = TestServer.start(noCheckLocal(backend.port(), "")
                     + "scgi.protocol = \"uwsgi\"\nserver.max-request-field-size = 262144\n")) {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(s.uri("/ws/u/v")).timeout(TIMEOUT)
                    .POST(HttpRequest.BodyPublishers.ofString("payload")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(201);
            assertThat(r.body()).isEqualTo("payload");
            assertThat(backend.heads.getFirst()).containsEntry("SCRIPT_NAME", "/ws/u").containsEntry("PATH_INFO", "/v")
                    .containsEntry("CONTENT_LENGTH", "7").doesNotContainKey("SCGI");

            String big = "x".repeat(40_000);
            String raw = RawHttp.exchange(s.port(), "GET /ws/big HTTP/1.1\r\nHost: h\r\nX-One: " + big + "\r\nX-Two: "
                    + big + "\r\nConnection: close\r\n\r\n", TIMEOUT);
            assertThat(RawHttp.parse(raw).status()).isEqualTo(431);
            assertThat(backend.heads).hasSize(1);
        }
    }

    @Test
    void headerNamesThatCollideAre400() throws Exception {
        try (ScgiTestBackend backend = new ScgiTestBackend(HELLO);
             TestServer s = TestServer.start(noCheckLocal(backend.port(), ""))) {
            String raw = RawHttp.exchange(s.port(), "GET /ws/x HTTP/1.1\r\nHost: h\r\nX-Same: 1\r\nX_Same: 2\r\n"
                    + "Connection: close\r\n\r\n", TIMEOUT);
            assertThat(RawHttp.parse(raw).status()).isEqualTo(400);
            assertThat(s.errorLines("mod_scgi")).anyMatch(l -> l.contains("HTTP_X_SAME"));
            assertThat(backend.heads).isEmpty();
        }
    }

    @Test
    void backendGoneIs503AndReadTimeoutIs504() throws Exception {
        try (TestServer s = TestServer.start(noCheckLocal(freePort(), ""))) {
            assertThat(get(s, "/ws/x").statusCode()).isEqualTo(503);
        }
        try (ScgiTestBackend backend = new ScgiTestBackend(c -> Thread.sleep(5000));
             TestServer s = TestServer.start(noCheckLocal(backend.port(), ", \"read-timeout\" => 1"))) {
            assertThat(get(s, "/ws/x").statusCode()).isEqualTo(504);
        }
    }

    @Test
    void upgradeEchoesRawBytesAndHalfCloseReachesTheBackend() throws Exception {
        try (ScgiTestBackend backend = new ScgiTestBackend(c -> {
                c.write("Status: 101 Switching Protocols\r\nUpgrade: echo\r\n\r\n");
                byte[] buf = new byte[1024];
                int n;
                while ((n = c.in.read(buf)) > 0) {
                    c.out.write(buf, 0, n);
                    c.out.flush();
                }
                c.write("bye"); // after the client's half-close
            });
             TestServer s = TestServer.start(noCheckLocal(backend.port(), ", \"upgrade\" => \"enable\""))) {
            try (RawHttp c = RawHttp.connect(s.port(), TIMEOUT)) {
                c.send("GET /ws/ws_echo.py HTTP/1.1\r\nHost: h\r\nUpgrade: echo\r\nConnection: upgrade\r\n\r\n");
                RawHttp.Response head = c.readResponse(true);
                assertThat(head.status()).isEqualTo(101);
                assertThat(head.header("Upgrade")).isEqualTo("echo");
                c.send("ping 1");
                assertThat(c.readExactly(6)).isEqualTo("ping 1");
                c.send("ping 2");
                assertThat(c.readExactly(6)).isEqualTo("ping 2");
                c.shutdownOutput();
                assertThat(c.readUntilClosed()).isEqualTo("bye");
            }
            SequencedMap<String, String> env = backend.heads.getFirst();
            assertThat(env).containsEntry("HTTP_UPGRADE", "echo").containsEntry("CONTENT_LENGTH", "0");
        }
    }

    @Test
    void withoutUpgradeTheBackendNeverSeesHttpUpgrade() throws Exception {
        try (ScgiTestBackend backend = new ScgiTestBackend(HELLO);
             TestServer s = TestServer.start(noCheckLocal(backend.port(), ""))) {
            String raw = RawHttp.exchange(s.port(), "GET /ws/x HTTP/1.1\r\nHost: h\r\nUpgrade: echo\r\n"
                    + "Connection: upgrade, close\r\n\r\n", TIMEOUT);
            assertThat(RawHttp.parse(raw).status()).isEqualTo(200);
            assertThat(backend.heads.getFirst()).doesNotContainKey("HTTP_UPGRADE");
        }
    }

    @Test
    void aChunkedBodyIsReadWholeAndReachesTheBackendWithItsContentLength(@TempDir Path uploads) throws Exception {
        try (ScgiTestBackend backend = new ScgiTestBackend(c -> {
                byte[] body = c.readBody(); // exactly CONTENT_LENGTH bytes
                c.write("Status: 200 OK\r\nX-Body-Sha: " + sha(body) + "\r\nX-Body-Length: " + body.length
                        + "\r\n\r\n");
            });
             TestServer s = TestServer.start(config("/ws/", backend.port(), ", \"check-local\" => \"disable\"",
                     "server.upload-dirs = ( \"" + uploads + "\" )\n"))) {
            byte[] big = new byte[1 << 20]; // past the spool's memory limit: through a temp file
            new Random(11).nextBytes(big);
            for (byte[] body : List.of("hello, world".getBytes(StandardCharsets.US_ASCII), big)) {
                try (RawHttp c = RawHttp.connect(s.port(), TIMEOUT)) {
                    c.send("POST /ws/up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
                    ChunkedUpload.write(c.outputStream(), body, body.length < 100 ? new int[] {5, 1, 6}
                            : ChunkedUpload.ODD_SIZES);
                    RawHttp.Response r = c.readResponse(true);
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.header("X-Body-Length")).isEqualTo(Integer.toString(body.length));
                    assertThat(r.header("X-Body-Sha")).isEqualTo(sha(body));
                }
                assertThat(backend.heads.getLast()).containsEntry("CONTENT_LENGTH", Integer.toString(body.length));
            }
            assertThat(ChunkedUpload.entries(uploads)).isZero();
            assertThat(ChunkedUpload.openFilesIn(uploads)).isZero();
            assertThat(s.errorLines("mod_scgi")).isEmpty();
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
