package io.lightgate.tools;

import io.lightgate.modules.fastcgi.FastCgi;
import io.lightgate.os.ListeningSocket;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.OpenFds;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * scgi-cgi and fcgi-cgi served in this JVM on a real listening socket, spoken to raw (SCGI netstrings, FastCGI
 * records) and running real sh scripts: answers, bodies, upgrades, errors, the request limit, vanishing
 * clients, graceful shutdown; no leaked fd, no child left.
 */
@ExtendWith(LeakGuard.class)
class CgiHelperTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    private CgiHelperServer server;
    private SocketAddress address;
    private long fdsBefore;

    @BeforeAll
    static void warmUp() throws Exception {
        assumeTrue(Epoll.isAvailable(), "the epoll transport");
        // one exchange first, so descriptors the JDK and Netty open once per JVM are not counted as leaks
        CgiHelperTest first = new CgiHelperTest();
        first.dir = java.nio.file.Files.createTempDirectory("cgi-helper-warm-up");
        first.serve(CgiHelperServer.Protocol.FASTCGI, 1, false);
        try (HelperClient client = new HelperClient(first.address)) {
            client.fastCgiBegin(1, FastCgi.RESPONDER, false, HelperClient.env("/nonexistent"));
            client.readUntilEndRequest(10);
        }
        first.server.shutdownGracefully();
        first.server.terminated().get(10, TimeUnit.SECONDS);
        java.nio.file.Files.deleteIfExists(first.dir);
    }

    @BeforeEach
    void check() throws Exception {
        fdsBefore = OpenFds.count();
    }

    private void serve(CgiHelperServer.Protocol protocol, int max, boolean unix) throws Exception {
        serve(protocol, max, unix, Duration.ofMillis(300));
    }

    private void serve(CgiHelperServer.Protocol protocol, int max, boolean unix, Duration shutdownGrace)
            throws Exception {
        ListeningSocket socket = unix
                ? ListeningSocket.open(UnixDomainSocketAddress.of(dir.resolve("helper.sock")), 64)
                : ListeningSocket.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        address = socket.localAddress();
        // the server owns the descriptor from here on (the real program gets it as fd 0)
        server = CgiHelperServer.start(protocol, socket.fd(),
                new CgiHelperServer.Options(max, Duration.ofMillis(300), shutdownGrace), err);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.shutdownGracefully();
            server.terminated().get(10, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline && (OpenFds.count() != fdsBefore || liveChildren() > 0)) {
            Thread.sleep(20);
        }
        assertThat(liveChildren()).as("children left").isZero();
        assertThat(OpenFds.count()).as("fds: %s", OpenFds.describe()).isEqualTo(fdsBefore);
    }

    private static long liveChildren() {
        try (var children = ProcessHandle.current().children()) {
            return children.filter(ProcessHandle::isAlive).count();
        }
    }

    private String script(String name, String body) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file.toString();
    }

    private String log() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private static final String SHOW = """
            printf 'Status: 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\n'
            echo "query=$QUERY_STRING method=$REQUEST_METHOD cwd=$(pwd) x=$HTTP_X_TEST"
            """;
    private static final String ECHO_BODY = """
            printf 'Content-Type: text/plain\\r\\n\\r\\n'
            printf 'got: '
            head -c "$CONTENT_LENGTH"
            """;
    private static final String UPGRADE_ECHO = """
            printf 'Status: 101\\nUpgrade: x\\n\\n'
            exec cat
            """;

    // ---- SCGI -----------------------------------------------------------------------------------------------

    @Test
    void scgiRunsTheScriptWithTheRequestsEnvironment() throws Exception {
        serve(CgiHelperServer.Protocol.SCGI, 16, false);
        String script = script("show.cgi", SHOW);
        try (HelperClient client = new HelperClient(address)) {
            client.scgiHead(HelperClient.env(script, "QUERY_STRING", "a=1&b=2", "HTTP_X_TEST", "yes"));
            assertThat(client.readAll(10)).isEqualTo("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                    + "query=a=1&b=2 method=GET cwd=" + dir.toRealPath() + " x=yes\n");
        }
        assertThat(log()).isEmpty();
    }

    @Test
    void scgiFeedsTheBodyToStdinOverAUnixSocket() throws Exception {
        serve(CgiHelperServer.Protocol.SCGI, 16, true);
        String script = script("echo.cgi", ECHO_BODY);
        try (HelperClient client = new HelperClient(address)) {
            client.scgiHead(HelperClient.env(script, "CONTENT_LENGTH", "11", "REQUEST_METHOD", "POST"));
            client.send("hello world");
            // like lighttpd: no half-close after the body
            assertThat(client.readAll(10)).isEqualTo("Content-Type: text/plain\r\n\r\ngot: hello world");
        }
    }

    @Test
    void scgiKeepsStreamingAfterAnUpgrade() throws Exception {
        serve(CgiHelperServer.Protocol.SCGI, 16, false);
        String script = script("upgrade.cgi", UPGRADE_ECHO);
        try (HelperClient client = new HelperClient(address)) {
            client.scgiHead(HelperClient.env(script, "HTTP_UPGRADE", "x"));
            assertThat(client.readUntil("\n\n", 10)).isEqualTo("Status: 101\nUpgrade: x\n\n");
            client.send("ping");
            assertThat(client.readUntil("ping", 10)).isEqualTo("ping");
            client.send("pong");
            assertThat(client.readUntil("pong", 10)).isEqualTo("pong");
            client.shutdownOutput(); // cat sees EOF, exits; its stdout's end is ours
            assertThat(client.readAll(10)).isEmpty();
        }
    }

    @Test
    void scgiAnswersAMissingScriptWith404AndOneLogLine() throws Exception {
        serve(CgiHelperServer.Protocol.SCGI, 16, false);
        try (HelperClient client = new HelperClient(address)) {
            client.scgiHead(HelperClient.env(dir.resolve("missing.cgi").toString()));
            assertThat(client.readAll(10)).startsWith("Status: 404 Not Found\r\n");
        }
        assertThat(log().lines().toList()).containsExactly(
                "scgi-cgi: SCRIPT_FILENAME " + dir.resolve("missing.cgi") + " not found");
    }

    @Test
    void scgiAnswersANonExecutableScriptWith403() throws Exception {
        serve(CgiHelperServer.Protocol.SCGI, 16, false);
        Path plain = dir.resolve("plain.cgi");
        Files.writeString(plain, "#!/bin/sh\necho hi\n");
        assumeTrue(!Files.isExecutable(plain), "not root");
        try (HelperClient client = new HelperClient(address)) {
            client.scgiHead(HelperClient.env(plain.toString()));
            assertThat(client.readAll(10)).startsWith("Status: 403 Forbidden\r\n");
        }
        assertThat(log()).startsWith("scgi-cgi: cannot start CGI program " + plain).contains("EACCES");
    }

    @Test
    void scgiAnswersAMalformedHeadWith400() throws Exception {
        serve(CgiHelperServer.Protocol.SCGI, 16, false);
        try (HelperClient client = new HelperClient(address)) {
            client.send("5:AB\0\0\0,");
            assertThat(client.readAll(10)).startsWith("Status: 400 Bad Request\r\n");
        }
        assertThat(log()).startsWith("scgi-cgi: bad SCGI request: ");
    }

    @Test
    void atMostTheGivenNumberOfRequestsRunAtOnce() throws Exception {
        serve(CgiHelperServer.Protocol.SCGI, 2, false);
        String script = script("wait.cgi", """
                printf 'Content-Type: text/plain\\r\\n\\r\\nstarted\\n'
                head -c "$CONTENT_LENGTH" > /dev/null
                echo done
                """);
        try (HelperClient first = new HelperClient(address);
             HelperClient second = new HelperClient(address);
             HelperClient third = new HelperClient(address)) {
            for (HelperClient client : List.of(first, second, third)) {
                client.scgiHead(HelperClient.env(script, "CONTENT_LENGTH", "4"));
            }
            assertThat(first.readUntil("started\n", 10)).endsWith("started\n");
            assertThat(second.readUntil("started\n", 10)).endsWith("started\n");
            Thread.sleep(300);
            assertThat(server.activeRequests()).isEqualTo(2);
            try (var children = ProcessHandle.current().children()) {
                assertThat(children.filter(ProcessHandle::isAlive).count()).isEqualTo(2);
            }
            first.send("body"); // the rest of its request: it ends, the third is accepted
            assertThat(first.readAll(10)).isEqualTo("done\n");
            first.close();
            assertThat(third.readUntil("started\n", 10)).endsWith("started\n");
            second.send("body");
            third.send("body");
            assertThat(second.readAll(10)).isEqualTo("done\n");
            assertThat(third.readAll(10)).isEqualTo("done\n");
        }
    }

    @Test
    void aVanishingClientGetsItsProgramTerminatedAndReaped() throws Exception {
        serve(CgiHelperServer.Protocol.SCGI, 16, false);
        String script = script("sleep.cgi", "printf 'Content-Type: text/plain\\r\\n\\r\\n%s\\n' $$\nexec sleep 60\n");
        long pid;
        try (HelperClient client = new HelperClient(address)) {
            client.scgiHead(HelperClient.env(script));
            String head = client.readUntil("\r\n\r\n", 10);
            String rest = head.endsWith("\n") && head.split("\r\n\r\n").length > 1 ? head.split("\r\n\r\n")[1]
                    : client.readUntil("\n", 10);
            pid = Long.parseLong(rest.trim());
            assertThat(ProcessHandle.of(pid)).isPresent();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcessHandle.of(pid).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ProcessHandle.of(pid)).as("reaped").isEmpty();
        assertThat(server.activeRequests()).isZero();
    }

    // ---- FastCGI --------------------------------------------------------------------------------------------

    @Test
    void fastCgiSendsStdoutStderrAndTheExitStatus() throws Exception {
        serve(CgiHelperServer.Protocol.FASTCGI, 16, false);
        String script = script("show.cgi", SHOW + "echo 'a warning' >&2\nexit 3\n");
        try (HelperClient client = new HelperClient(address)) {
            client.fastCgiBegin(1, FastCgi.RESPONDER, false, HelperClient.env(script, "QUERY_STRING", "q"));
            client.fastCgiStdin(1, "");
            HelperClient.FastCgiAnswer answer = HelperClient.decode(client.readAll(10));
            assertThat(answer.stdout()).isEqualTo("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                    + "query=q method=GET cwd=" + dir.toRealPath() + " x=\n");
            assertThat(answer.stderr()).isEqualTo("a warning\n");
            assertThat(answer.ends()).hasSize(1);
            assertThat(answer.ends().getFirst().appStatus()).isEqualTo(3);
            assertThat(answer.ends().getFirst().protocolStatus()).isEqualTo(FastCgi.REQUEST_COMPLETE);
            assertThat(answer.other()).isEmpty();
        }
    }

    @Test
    void fastCgiFeedsStdinRecordsToTheProgram() throws Exception {
        serve(CgiHelperServer.Protocol.FASTCGI, 16, true);
        String script = script("echo.cgi", ECHO_BODY);
        try (HelperClient client = new HelperClient(address)) {
            client.fastCgiBegin(1, FastCgi.RESPONDER, false, HelperClient.env(script, "CONTENT_LENGTH", "10"));
            client.fastCgiStdin(1, "hello");
            client.fastCgiStdin(1, "world");
            client.fastCgiStdin(1, "");
            HelperClient.FastCgiAnswer answer = HelperClient.decode(client.readAll(10));
            assertThat(answer.stdout()).isEqualTo("Content-Type: text/plain\r\n\r\ngot: helloworld");
            assertThat(answer.ends().getFirst().appStatus()).isZero();
        }
    }

    @Test
    void fastCgiFeedsABodyThatOutrunsTheProgramUnaltered() throws Exception {
        // Many small STDIN records, so the helper's reads (full ones: the program sleeps first and the input backs
        // up) often end inside a record header after data handed on as a slice of the same buffer. Compacting that
        // buffer for the header's next bytes, with the slice still queued for the pipe, altered the slice: a 16 MiB
        // WebSocket message through mod_fastcgi once reached ws-echo.pl with bytes changed.
        serve(CgiHelperServer.Protocol.FASTCGI, 16, false);
        String script = script("digest.cgi", """
                printf 'Content-Type: text/plain\\r\\n\\r\\n'
                sleep 0.5
                sha256sum | cut -c1-64
                """);
        java.util.Random random = new java.util.Random(8);
        byte[] body = new byte[8 << 20];
        random.nextBytes(body);
        int[] recordSizes = random.ints(4096, 1, 300).toArray();
        try (HelperClient client = new HelperClient(address)) {
            client.fastCgiBegin(1, FastCgi.RESPONDER, false,
                    HelperClient.env(script, "CONTENT_LENGTH", String.valueOf(body.length)));
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    client.fastCgiStdin(1, body, recordSizes);
                    client.fastCgiStdin(1, "");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            HelperClient.FastCgiAnswer answer = HelperClient.decode(client.readAll(30));
            sent.get(5, TimeUnit.SECONDS);
            String digest = java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(body));
            assertThat(answer.stdout()).isEqualTo("Content-Type: text/plain\r\n\r\n" + digest + "\n");
            assertThat(answer.ends().getFirst().appStatus()).isZero();
        }
    }

    @Test
    void fastCgiRefusesOtherRoles() throws Exception {
        serve(CgiHelperServer.Protocol.FASTCGI, 16, false);
        try (HelperClient client = new HelperClient(address)) {
            client.fastCgiBegin(1, FastCgi.AUTHORIZER, false, HelperClient.env(script("x.cgi", "echo\n")));
            HelperClient.FastCgiAnswer answer = HelperClient.decode(client.readAll(10));
            assertThat(answer.ends()).hasSize(1);
            assertThat(answer.ends().getFirst().protocolStatus()).isEqualTo(FastCgi.UNKNOWN_ROLE);
            assertThat(answer.stdout()).isEmpty();
        }
        assertThat(log()).contains("fcgi-cgi: request 1 has role 2");
    }

    @Test
    void fastCgiTunnelsAnUpgradeUntilTheClientHalfCloses() throws Exception {
        serve(CgiHelperServer.Protocol.FASTCGI, 16, false);
        String script = script("upgrade.cgi", UPGRADE_ECHO);
        try (HelperClient client = new HelperClient(address)) {
            client.fastCgiBegin(1, FastCgi.RESPONDER, false, HelperClient.env(script, "HTTP_UPGRADE", "x"));
            assertThat(client.readUntil("\n\n", 10)).contains("Status: 101\nUpgrade: x\n\n");
            client.fastCgiStdin(1, "ping");
            assertThat(client.readUntil("ping", 10)).contains("ping");
            client.shutdownOutput(); // lighttpd's tunnel half-close: no empty STDIN record
            HelperClient.FastCgiAnswer rest = HelperClient.decode(client.readAll(10));
            assertThat(rest.ends()).hasSize(1);
            assertThat(rest.ends().getFirst().appStatus()).isZero();
        }
    }

    @Test
    void fastCgiAnswersAMissingScriptWith404() throws Exception {
        serve(CgiHelperServer.Protocol.FASTCGI, 16, false);
        try (HelperClient client = new HelperClient(address)) {
            client.fastCgiBegin(1, FastCgi.RESPONDER, false, HelperClient.env(dir.resolve("nope.cgi").toString()));
            client.fastCgiStdin(1, "");
            HelperClient.FastCgiAnswer answer = HelperClient.decode(client.readAll(10));
            assertThat(answer.stdout()).startsWith("Status: 404 Not Found\r\n");
            assertThat(answer.ends()).hasSize(1);
        }
        assertThat(log().lines().toList()).containsExactly(
                "fcgi-cgi: SCRIPT_FILENAME " + dir.resolve("nope.cgi") + " not found");
    }

    @Test
    void fastCgiKeepConnServesRequestsOneAfterAnother() throws Exception {
        serve(CgiHelperServer.Protocol.FASTCGI, 16, false);
        String script = script("show.cgi", SHOW);
        try (HelperClient client = new HelperClient(address)) {
            for (int id = 1; id <= 2; id++) {
                client.fastCgiBegin(id, FastCgi.RESPONDER, true, HelperClient.env(script, "QUERY_STRING", "n=" + id));
                client.fastCgiStdin(id, "");
                HelperClient.FastCgiAnswer answer = client.readUntilEndRequest(10);
                assertThat(answer.stdout()).contains("query=n=" + id);
                assertThat(answer.ends()).extracting(e -> e.id()).containsExactly(id);
            }
            client.shutdownOutput();
            assertThat(client.readAll(10)).isEmpty();
        }
    }

    @Test
    void fastCgiClientVanishingTerminatesTheProgram() throws Exception {
        serve(CgiHelperServer.Protocol.FASTCGI, 16, false);
        String script = script("sleep.cgi", "echo started >&2\nexec sleep 60\n");
        try (HelperClient client = new HelperClient(address)) {
            client.fastCgiBegin(1, FastCgi.RESPONDER, false, HelperClient.env(script));
            client.fastCgiStdin(1, "");
            assertThat(client.readUntil("started", 10)).contains("started");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.activeRequests() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(server.activeRequests()).isZero();
        assertThat(liveChildren()).isZero();
    }

    @Test
    void gracefulShutdownFinishesRunningRequestsAndStopsAccepting() throws Exception {
        serve(CgiHelperServer.Protocol.SCGI, 16, false, Duration.ofSeconds(5));
        String script = script("slow.cgi", "sleep 0.5\nprintf 'Content-Type: text/plain\\r\\n\\r\\nfinished\\n'\n");
        try (HelperClient client = new HelperClient(address)) {
            client.scgiHead(HelperClient.env(script));
            Thread.sleep(100);
            server.shutdownGracefully();
            assertThatThrownBy(() -> new HelperClient(address).close()).isInstanceOf(ConnectException.class);
            assertThat(client.readAll(10)).endsWith("\r\n\r\nfinished\n");
        }
        server.terminated().get(10, TimeUnit.SECONDS);
    }

    @Test
    void gracefulShutdownTerminatesProgramsThatOutstayTheGrace() throws Exception {
        serve(CgiHelperServer.Protocol.SCGI, 16, false);
        String script = script("forever.cgi", "printf 'Content-Type: text/plain\\r\\n\\r\\nup\\n'\nexec sleep 60\n");
        try (HelperClient client = new HelperClient(address)) {
            client.scgiHead(HelperClient.env(script));
            assertThat(client.readUntil("up\n", 10)).endsWith("up\n");
            long start = System.nanoTime();
            server.shutdownGracefully();
            assertThat(client.readAll(10)).isEmpty(); // SIGTERM after 300 ms ends its output
            client.close();
            server.terminated().get(10, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(290);
        }
    }
}
