package io.lightgate.modules.cgi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lightgate.Version;
import io.lightgate.config.ConfigException;
import io.lightgate.server.ModuleRegistry;
import io.lightgate.testing.Children;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.OpenFds;
import io.lightgate.testing.RawHttp;
import io.lightgate.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * mod_cgi in a real lightgate (real config text, ephemeral port) running real sh and perl scripts written by the
 * test, with real clients: the environment of reference §8 in order, cwd, bodies both ways, Status/Location/NPH,
 * execute-x-only, interpreters, failures with their statuses and log lines, timeouts, a client that leaves (program
 * killed and reaped, no fd left), upgrade off and on, tcp-fin-propagate, server.breakagelog.
 */
@ExtendWith(LeakGuard.class)
class CgiModuleTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String BASE = "server.modules = ( \"mod_cgi\" )\n"
            + "cgi.assign = ( \".cgi\" => \"\", \".pl\" => \"/usr/bin/perl\" )\n"
            + "static-file.exclude-extensions = ( \".cgi\", \".pl\" )\n";

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private TestServer server;

    @AfterEach
    void closeAll() throws Exception {
        if (server != null) {
            server.errorLines().forEach(l -> System.out.println("ERRORLOG " + l));
        }
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
        client.close();
    }

    private TestServer start(String more) throws Exception {
        ModuleRegistry registry = ModuleRegistry.builtIn().register("mod_cgi", () -> {
            CgiModule m = new CgiModule();
            m.killGrace(Duration.ofMillis(300));
            return m;
        });
        server = TestServer.start(BASE + more, registry);
        cleanup.add(server);
        return server;
    }

    private Path script(String relPath, String text, boolean executable) throws IOException {
        Path p = server.docroot().resolve(relPath.substring(1));
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        return p;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(server.uri(path)).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private List<String> cgiLog() {
        return server.errorLines("mod_cgi");
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

    /** Waits until the process is reaped: no /proc entry, so no zombie either. */
    private static void awaitReaped(long pid) throws InterruptedException {
        await("pid " + pid + " reaped", () -> !Files.exists(Path.of("/proc/" + pid)));
    }

    private static long pidOf(Path script) throws InterruptedException {
        long[] pid = new long[1];
        await("program " + script + " running", () -> Children.running(script).map(p -> pid[0] = p.pid()).isPresent());
        return pid[0];
    }

    // ---- environment, cwd --------------------------------------------------------------------------------

    @Test
    void environmentIsLighttpdsInOrderAndCwdIsTheScriptsDirectory() throws Exception {
        start("");
        script("/cgi/env.cgi", "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\n"
                + "echo \"cwd=$(pwd)\"\ntr '\\0' '\\n' < /proc/$$/environ\n", true);
        String docroot = server.docroot().toString();
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            c.send("GET /cgi/env.cgi/p/q?a=1 HTTP/1.1\r\nHost: example.org\r\nX-Custom: v\r\nConnection: close\r\n\r\n");
            String raw = c.readUntilClosed();
            RawHttp.Response r = RawHttp.parse(raw);
            assertThat(r.status()).isEqualTo(200);
            // held until the program ended (server.stream-response-body 0, lighttpd's default): sent with its length
            assertThat(r.header("Transfer-Encoding")).isNull();
            String body = r.body();
            assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(body.length()));
            List<String> lines = new ArrayList<>(List.of(body.split("\n")));
            assertThat(lines.removeFirst()).isEqualTo("cwd=" + docroot + "/cgi");
            lines.removeIf(l -> l.startsWith("LD_PRELOAD=") || l.startsWith("LD_LIBRARY_PATH="));
            int clientPort = c.localPort();
            assertThat(lines).containsExactly(
                    "CONTENT_LENGTH=0",
                    "QUERY_STRING=a=1",
                    "REQUEST_URI=/cgi/env.cgi/p/q?a=1",
                    "REDIRECT_STATUS=200",
                    "SCRIPT_NAME=/cgi/env.cgi",
                    "PATH_INFO=/p/q",
                    "PATH_TRANSLATED=" + docroot + "/p/q",
                    "SCRIPT_FILENAME=" + docroot + "/cgi/env.cgi",
                    "DOCUMENT_ROOT=" + docroot,
                    "REQUEST_METHOD=GET",
                    "SERVER_PROTOCOL=HTTP/1.1",
                    "SERVER_SOFTWARE=" + Version.tag(),
                    "GATEWAY_INTERFACE=CGI/1.1",
                    "REQUEST_SCHEME=http",
                    "SERVER_PORT=" + server.port(),
                    "SERVER_ADDR=127.0.0.1",
                    "SERVER_NAME=example.org",
                    "REMOTE_ADDR=127.0.0.1",
                    "REMOTE_PORT=" + clientPort,
                    "HTTP_HOST=example.org",
                    "HTTP_X_CUSTOM=v",
                    "HTTP_CONNECTION=close");
        }
    }

    @Test
    void aTrailingSlashAfterTheScriptIsPathInfoAsForLighttpd() throws Exception {
        // lighttpd's stat("env.cgi/") fails with ENOTDIR, so the script runs with PATH_INFO "/"
        start("");
        script("/cgi/pi.cgi", "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\n"
                + "echo \"$SCRIPT_NAME|$PATH_INFO\"\n", true);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/cgi/pi.cgi/")).timeout(TIMEOUT)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("/cgi/pi.cgi|/\n");
    }

    // ---- bodies --------------------------------------------------------------------------------------

    @Test
    void postOfEightMebibytesEchoedToASlowClient() throws Exception {
        start("");
        script("/echo.cgi", "#!/bin/sh\nprintf 'Content-Type: application/octet-stream\\n\\n'\nexec cat\n", true);
        script("/md5.pl", "use Digest::MD5;\nbinmode STDIN;\nmy $d = Digest::MD5->new;\nmy $n = 0;\n"
                + "while (my $r = sysread(STDIN, my $b, 65536)) { $n += $r; $d->add($b); }\n"
                + "print \"Content-Type: text/plain\\n\\n$n \", $d->hexdigest;\n", false);
        byte[] body = new byte[8 << 20];
        new Random(5).nextBytes(body);

        HttpResponse<String> md5 = client.send(HttpRequest.newBuilder(server.uri("/md5.pl")).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(md5.body()).isEqualTo(body.length + " "
                + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body)));

        assertThat(RawHttp.postReadingSlowly(server.port(), "/echo.cgi", body)).isEqualTo(body);
        assertThat(cgiLog()).isEmpty();
    }

    @Test
    void programIgnoringStdinStillAnswers() throws Exception {
        start("");
        script("/ignore.cgi", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nignored your body'\n", true);
        byte[] body = new byte[1 << 20];
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(server.uri("/ignore.cgi")).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ignored your body");
    }

    // ---- heads ---------------------------------------------------------------------------------------

    @Test
    void statusLocationAndNph() throws Exception {
        start("");
        script("/status.cgi", "#!/bin/sh\nprintf 'Status: 418 I am a teapot\\nX-A: b\\n\\nshort and stout'\n", true);
        script("/location.cgi", "#!/bin/sh\nprintf 'Location: /elsewhere\\n\\n'\n", true);
        script("/nph-x.cgi", "#!/bin/sh\nprintf 'HTTP/1.1 202 Accepted\\r\\nX-Nph: 1\\r\\n\\r\\nnph body'\n", true);
        HttpResponse<String> status = get("/status.cgi");
        assertThat(status.statusCode()).isEqualTo(418);
        assertThat(status.headers().firstValue("X-A")).hasValue("b");
        assertThat(status.body()).isEqualTo("short and stout");
        HttpResponse<String> location = get("/location.cgi");
        assertThat(location.statusCode()).isEqualTo(302);
        assertThat(location.headers().firstValue("Location")).hasValue("/elsewhere");
        HttpResponse<String> nph = get("/nph-x.cgi");
        assertThat(nph.statusCode()).isEqualTo(202);
        assertThat(nph.headers().firstValue("X-Nph")).hasValue("1");
        assertThat(nph.body()).isEqualTo("nph body");
    }

    @Test
    void garbageHeadersAre502() throws Exception {
        start("");
        script("/garbage.cgi", "#!/bin/sh\nprintf 'Content-Type: text/plain\\nthis is no header\\n\\nbody'\n", true);
        assertThat(get("/garbage.cgi").statusCode()).isEqualTo(502);
        assertThat(cgiLog()).singleElement().asString().contains("garbage.cgi").contains("502");
    }

    // ---- which files run ----------------------------------------------------------------------------

    @Test
    void executeXOnlyAndInterpreters() throws Exception {
        start("$HTTP[\"url\"] =~ \"^/xonly/\" { cgi.execute-x-only = \"enable\" }\n");
        script("/xonly/plain.cgi", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nran'\n", false);
        script("/xonly/exec.cgi", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nran'\n", true);
        script("/hello.pl", "print \"Content-Type: text/plain\\n\\nperl says $ENV{SCRIPT_NAME}\";\n", false);
        // not executable under execute-x-only: not a CGI; the static module refuses the excluded suffix
        assertThat(get("/xonly/plain.cgi").statusCode()).isEqualTo(403);
        assertThat(get("/xonly/exec.cgi").body()).isEqualTo("ran");
        // a non-executable script with an interpreter from cgi.assign
        assertThat(get("/hello.pl").body()).isEqualTo("perl says /hello.pl");
        assertThat(get("/missing.cgi").statusCode()).isEqualTo(404);
        assertThat(cgiLog()).isEmpty();
    }

    @Test
    void programMissingOrNotExecutableIs500WithOneLogLine() throws Exception {
        start("$HTTP[\"url\"] =~ \"^/bad-interp/\" { cgi.assign = ( \".pl\" => \"/nonexistent/perl\" ) }\n");
        script("/noexec.cgi", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nran'\n", false);
        script("/bad-interp/x.pl", "print \"Content-Type: text/plain\\n\\nran\";\n", false);
        assertThat(get("/noexec.cgi").statusCode()).isEqualTo(500);
        assertThat(cgiLog()).singleElement().asString().contains("noexec.cgi").contains("500");
        assertThat(get("/bad-interp/x.pl").statusCode()).isEqualTo(500);
        assertThat(cgiLog()).hasSize(2);
        assertThat(cgiLog().get(1)).contains("/nonexistent/perl").contains("500");
    }

    // ---- failures and timeouts -------------------------------------------------------------------------

    @Test
    void crashBeforeAnyOutputIs500() throws Exception {
        start("");
        script("/crash.pl", "kill 'KILL', $$;\n", false);
        assertThat(get("/crash.pl").statusCode()).isEqualTo(500);
        await("log lines", () -> cgiLog().size() == 2);
        assertThat(cgiLog()).anySatisfy(l -> assertThat(l).contains("crash.pl").contains("without output"))
                .anySatisfy(l -> assertThat(l).contains("died with signal 9"));
    }

    @Test
    void readTimeoutIs504AndTheProgramIsKilled() throws Exception {
        start("cgi.limits = ( \"read-timeout\" => 1 )\n");
        Path slow = script("/slow.pl", "sleep 30;\n", false);
        long t0 = System.nanoTime();
        assertThat(get("/slow.pl").statusCode()).isEqualTo(504);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(cgiLog()).singleElement().asString().contains("slow.pl").contains("504");
        await("program gone", () -> Children.running(slow).isEmpty());
    }

    @Test
    void writeTimeoutIs504() throws Exception {
        start("cgi.limits = ( \"write-timeout\" => 1 )\n");
        script("/deaf.pl", "sleep 30;\n", false);
        int length = 4 << 20;
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            c.send("POST /deaf.pl HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n");
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = c.outputStream();
                    out.write(new byte[length]);
                    out.flush();
                } catch (IOException ignored) {
                    // the server gives up on the body
                }
            });
            assertThat(c.readResponse(false).status()).isEqualTo(504);
            writer.interrupt();
        }
        assertThat(cgiLog()).anySatisfy(l -> assertThat(l).contains("deaf.pl").contains("write-timeout").contains("504"));
    }

    @Test
    void clientVanishingKillsAndReapsTheProgramWithoutLeakingFds() throws Exception {
        start("");
        Path sleeper = script("/sleeper.pl", "sleep 30;\n", false);
        Path stubborn = script("/stubborn.pl", "$SIG{TERM} = 'IGNORE';\nsleep 30;\n", false);
        get("/missing.cgi"); // warm up: the first request opens what later ones reuse
        long fdsBefore = OpenFds.count();
        for (Path p : List.of(sleeper, stubborn)) {
            long pid;
            try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
                c.send("GET /" + p.getFileName() + " HTTP/1.1\r\nHost: x\r\n\r\n");
                pid = pidOf(p);
            }
            awaitReaped(pid); // SIGTERM, or SIGKILL after the grace for the one that ignores it
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (OpenFds.count() != fdsBefore && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(OpenFds.count()).as("open fds: %s", OpenFds.describe()).isEqualTo(fdsBefore);
        assertThat(cgiLog()).isEmpty(); // killed by us: not reported as a crash
    }

    // ---- upgrade ------------------------------------------------------------------------------------

    private static final String ECHO_101 = "$| = 1;\n"
            + "print \"%s\";\n"
            + "while (1) { my $n = sysread(STDIN, my $b, 65536); last if !$n; syswrite(STDOUT, $b); }\n";

    @Test
    void upgradeOffHidesUpgradeAndRefusesA101() throws Exception {
        start("");
        script("/up-env.pl", "print \"Content-Type: text/plain\\n\\n\", (defined $ENV{HTTP_UPGRADE} ? "
                + "\"seen $ENV{HTTP_UPGRADE}\" : \"no upgrade\");\n", false);
        script("/ws.pl", ECHO_101.formatted("Status: 101 Switching Protocols\\r\\nUpgrade: echo\\r\\n\\r\\n"), false);
        String env = RawHttp.exchange(server.port(), "GET /up-env.pl HTTP/1.1\r\nHost: x\r\n"
                + "Connection: close, Upgrade\r\nUpgrade: echo\r\n\r\n", TIMEOUT);
        assertThat(env).contains("no upgrade").doesNotContain("seen");
        String ws = RawHttp.exchange(server.port(), "GET /ws.pl HTTP/1.1\r\nHost: x\r\n"
                + "Connection: close, Upgrade\r\nUpgrade: echo\r\n\r\n", TIMEOUT);
        assertThat(RawHttp.parse(ws).status()).isEqualTo(502);
    }

    @Test
    void upgradeOnEchoesWithStatusAndUpgradeInEitherOrder() throws Exception {
        start("cgi.upgrade = \"enable\"\n");
        script("/ws1.pl", ECHO_101.formatted("Status: 101 Switching Protocols\\r\\nUpgrade: echo\\r\\n\\r\\n"), false);
        script("/ws2.pl", ECHO_101.formatted("Upgrade: echo\\nStatus: 101\\n\\n"), false);
        for (String path : List.of("/ws1.pl", "/ws2.pl")) {
            try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
                c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n");
                RawHttp.Response r = c.readResponse(true);
                assertThat(r.status()).isEqualTo(101);
                assertThat(r.header("Upgrade")).isEqualTo("echo");
                c.send("hello through " + path);
                assertThat(c.readExactly(("hello through " + path).length())).isEqualTo("hello through " + path);
                c.send("again");
                assertThat(c.readExactly(5)).isEqualTo("again");
                // without tcp-fin-propagate the client's half-close ends the tunnel (lighttpd in practice)
                c.shutdownOutput();
                assertThat(c.readUntilClosed()).isEmpty();
            }
        }
        assertThat(cgiLog()).isEmpty();
    }

    @Test
    void crashBeforeAndAfterTheOneOhOne() throws Exception {
        start("cgi.upgrade = \"enable\"\n");
        script("/before.pl", "exit 3;\n", false);
        script("/after.pl", "$| = 1;\nprint \"Status: 101\\nUpgrade: echo\\n\\n\";\nkill 'KILL', $$;\n", false);
        String before = RawHttp.exchange(server.port(), "GET /before.pl HTTP/1.1\r\nHost: x\r\n"
                + "Connection: Upgrade\r\nUpgrade: echo\r\n\r\n", TIMEOUT);
        assertThat(RawHttp.parse(before).status()).isEqualTo(500);
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            c.send("GET /after.pl HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n");
            assertThat(c.readResponse(true).status()).isEqualTo(101);
            assertThat(c.readUntilClosed()).isEmpty();
        }
    }

    @Test
    void tcpFinPropagateSignalsTheProgramAndKeepsItsOutput() throws Exception {
        start("cgi.upgrade = \"enable\"\ncgi.limits = ( \"tcp-fin-propagate\" => \"usr1\" )\n");
        script("/fin.pl", "$| = 1;\nmy $got = 0;\n$SIG{USR1} = sub { $got = 1; };\n"
                + "print \"Status: 101\\r\\nUpgrade: echo\\r\\n\\r\\n\";\n"
                + "while (1) { my $n = sysread(STDIN, my $b, 65536); next if !defined $n; last if !$n; "
                + "syswrite(STDOUT, $b); }\n"
                + "for (1..50) { last if $got; select(undef, undef, undef, 0.05); }\n"
                + "print \"signal=$got\\n\";\n", false);
        try (RawHttp c = RawHttp.connect(server.port(), TIMEOUT)) {
            c.send("GET /fin.pl HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n");
            assertThat(c.readResponse(true).status()).isEqualTo(101);
            c.send("x");
            assertThat(c.readExactly(1)).isEqualTo("x");
            c.shutdownOutput();
            assertThat(c.readUntilClosed()).isEqualTo("signal=1\n");
        }
    }

    // ---- config and logs ---------------------------------------------------------------------------------

    @Test
    void unknownLimitsKeyIsAStartUpErrorWithItsPosition() {
        assertThatThrownBy(() -> start("cgi.limits = ( \"read-timeout\" => 1, \"idle\" => 2 )\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cgi.limits")
                .hasMessageContaining("\"idle\"")
                .hasMessageContaining("read-timeout, write-timeout, tcp-fin-propagate")
                .hasMessageMatching("(?s).*:\\d+:\\d+.*");
    }

    @Test
    void finSignalNames() throws Exception {
        assertThat(CgiLimits.signal(new io.lightgate.config.ConfigValue.Str("SIGUSR1"))).isEqualTo(10);
        assertThat(CgiLimits.signal(new io.lightgate.config.ConfigValue.Str("hup"))).isEqualTo(1);
        assertThat(CgiLimits.signal(new io.lightgate.config.ConfigValue.Str("9"))).isEqualTo(9);
        assertThat(CgiLimits.signal(new io.lightgate.config.ConfigValue.Int(2))).isEqualTo(2);
        assertThat(CgiLimits.signal(new io.lightgate.config.ConfigValue.Str("whatever"))).isEqualTo(15);
    }

    @Test
    void stderrGoesToTheBreakageLog() throws Exception {
        Path log = Files.createTempFile("breakage", ".log");
        cleanup.add(() -> Files.deleteIfExists(log));
        start("server.breakagelog = \"" + log + "\"\n");
        script("/noisy.cgi", "#!/bin/sh\necho 'oops from the program' >&2\nprintf 'Content-Type: text/plain\\n\\nok'\n",
                true);
        assertThat(get("/noisy.cgi").body()).isEqualTo("ok");
        await("breakage log written", () -> {
            try {
                return Files.readString(log).contains("oops from the program");
            } catch (IOException e) {
                return false;
            }
        });
    }
}
