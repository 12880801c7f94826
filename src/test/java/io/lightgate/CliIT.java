package io.lightgate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The packaged jar as a user runs it: flags, exit statuses, messages, signals, detaching. */
class CliIT {
    static final Path JAR = Path.of(System.getProperty("lightgate.jar", "target/lightgate.jar"));
    static final Path SEED = Path.of("../shared/seed/samples").toAbsolutePath().normalize();
    static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    @TempDir Path dir;
    final List<Process> started = new ArrayList<>();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    record Result(int status, String out, String err) { }

    Result run(String stdin, String... args) throws Exception {
        Process p = start(args);
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("lightgate %s exits", List.of(args)).isTrue();
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        started.add(p);
        return p;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    Path config(String text) throws IOException {
        Path conf = dir.resolve("lighttpd.conf");
        Files.writeString(conf, text);
        return conf;
    }

    HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Polls until the server answers (or fails the test after 30 s). */
    HttpResponse<String> awaitServing(int port, String path) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return get(port, path);
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    @Test
    void versionAndHelp() throws Exception {
        Result v = run(null, "-v");
        assertThat(v.status()).isZero();
        assertThat(v.out()).startsWith("lightgate/");
        Result h = run(null, "-h");
        assertThat(h.status()).isZero();
        assertThat(h.out()).contains("-f <name>", "-tt", "-D");
        Result features = run(null, "-V");
        assertThat(features.status()).isZero();
        assertThat(features.out()).contains("Event Handlers:", "epoll");
    }

    @Test
    void unknownOptionPrintsHelpAndFails() throws Exception {
        Result r = run(null, "-x");
        assertThat(r.status()).isEqualTo(255);
        assertThat(r.err()).contains("invalid option -- 'x'", "usage:");
    }

    @Test
    void noConfigFails() throws Exception {
        Result r = run(null, "-D");
        assertThat(r.status()).isEqualTo(255);
        assertThat(r.err()).contains("No configuration available. Try using -f option.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lighttpd-wstunnel.conf", "lighttpd-proxy.conf", "cgi.conf"})
    void seedConfigsPassTheSyntaxCheck(String name) throws Exception {
        Result r = run(null, "-t", "-f", SEED.resolve("conf").resolve(name).toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("Syntax OK\n");
        assertThat(r.status()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"scgi.conf", "fastcgi.conf"})
    void seedSnippetsWithTheMissingCommaFailAtItsPosition(String name) throws Exception {
        Path conf = SEED.resolve("conf").resolve(name);
        Result r = run(null, "-t", "-f", conf.toString());
        assertThat(r.status()).isEqualTo(255);
        assertThat(r.out()).isEmpty();
        // line 6 is the "check-local" line that follows the "bin-path" value without a comma
        assertThat(r.err()).startsWith(conf + ":6:").contains("check-local").contains("comma");
    }

    @Test
    void configFromStandardInput() throws Exception {
        Result r = run("server.document-root = \"/tmp\"\nserver.port = 8080\n", "-t", "-f", "-");
        assertThat(r.out()).isEqualTo("Syntax OK\n");
        assertThat(r.status()).isZero();
    }

    @Test
    void printShowsTheNormalisedConfig() throws Exception {
        Result r = run(null, "-p", "-f", SEED.resolve("conf/lighttpd-wstunnel.conf").toString());
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("server.document-root", "wstunnel.server", "\"/tmp/echo.sock\"");
    }

    @Test
    void typeErrorFailsAtStartWithThePosition() throws Exception {
        Path conf = config("server.document-root = \"" + dir + "\"\nserver.port = \"8080x\"\n");
        Result r = run(null, "-tt", "-f", conf.toString());
        assertThat(r.status()).isEqualTo(255);
        assertThat(r.err()).contains(conf + ":2:").contains("server.port");
    }

    @Test
    void missingDocumentRootFailsTheModuleCheck() throws Exception {
        Path conf = config("server.port = 8080\n");
        Result r = run(null, "-tt", "-f", conf.toString());
        assertThat(r.status()).isEqualTo(255);
        assertThat(r.err()).contains("server.document-root is not set");
    }

    @Test
    void servesTheSeedCountPageAsHtmlAndStopsOnSigterm() throws Exception {
        int port = freePort();
        Path conf = config("server.document-root = \"" + SEED.resolve("docroot") + "\"\n"
                + "server.bind = \"127.0.0.1\"\nserver.port = " + port + "\nfoo.bar = 1\n");
        Process p = start("-D", "-f", conf.toString());
        HttpResponse<String> r = awaitServing(port, "/count.html");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html");
        assertThat(r.body()).isEqualTo(Files.readString(SEED.resolve("docroot/count.html")));
        p.toHandle().destroy(); // SIGTERM
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(err).contains("unknown config-key: foo.bar (ignored)").doesNotContain("Exception");
    }

    @Test
    void sigintShutsDownGracefully() throws Exception {
        int port = freePort();
        Path conf = config("server.document-root = \"" + SEED.resolve("docroot") + "\"\n"
                + "server.bind = \"127.0.0.1\"\nserver.port = " + port + "\n");
        Process p = start("-D", "-f", conf.toString());
        assertThat(awaitServing(port, "/count.html").statusCode()).isEqualTo(200);
        signal(p, "INT");
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).contains("graceful shutdown");
    }

    @Test
    void sigusr1ReloadsTheConfigOnTheSamePort() throws Exception {
        int port = freePort();
        String base = "server.document-root = \"" + SEED.resolve("docroot") + "\"\n"
                + "server.bind = \"127.0.0.1\"\nserver.port = " + port + "\n";
        Path conf = config(base + "server.tag = \"first\"\n");
        Process p = start("-D", "-f", conf.toString());
        assertThat(awaitServing(port, "/count.html").headers().firstValue("Server")).hasValue("first");
        Files.writeString(conf, base + "server.tag = \"second\"\n");
        signal(p, "USR1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String tag = null;
        while (System.nanoTime() < deadline) {
            tag = awaitServing(port, "/count.html").headers().firstValue("Server").orElse("");
            if (tag.equals("second")) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(tag).isEqualTo("second");
        assertThat(p.isAlive()).isTrue();
    }

    @Test
    void sighupReopensTheErrorLog() throws Exception {
        int port = freePort();
        Path log = dir.resolve("error.log");
        Path conf = config("server.document-root = \"" + SEED.resolve("docroot") + "\"\n"
                + "server.bind = \"127.0.0.1\"\nserver.port = " + port + "\n"
                + "server.errorlog = \"" + log + "\"\n");
        Process p = start("-D", "-f", conf.toString());
        assertThat(awaitServing(port, "/count.html").statusCode()).isEqualTo(200);
        assertThat(log).exists();
        Path rotated = dir.resolve("error.log.1");
        Files.move(log, rotated);
        signal(p, "HUP");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(log) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(log).exists();
        signal(p, "USR1"); // the restart note goes to the reopened file
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.readString(log).contains("graceful restart") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(Files.readString(log)).contains("graceful restart");
    }

    @Test
    void withoutForegroundFlagTheServerDetaches() throws Exception {
        int port = freePort();
        Path conf = config("server.document-root = \"" + SEED.resolve("docroot") + "\"\n"
                + "server.bind = \"127.0.0.1\"\nserver.port = " + port + "\n");
        Result r = run(null, "-f", conf.toString());
        assertThat(r.status()).isZero();
        assertThat(awaitServing(port, "/count.html").statusCode()).isEqualTo(200);
        ProcessHandle daemon = ProcessHandle.allProcesses()
                .filter(h -> h.info().arguments().map(a -> List.of(a).contains(conf.toString())).orElse(false))
                .findFirst().orElseThrow();
        daemon.destroy();
        assertThat(daemon.onExit().get(20, TimeUnit.SECONDS).isAlive()).isFalse();
    }

    @Test
    void detachingRelaysStartErrors() throws Exception {
        Path conf = config("server.port = 8080\n");
        Result r = run(null, "-f", conf.toString());
        assertThat(r.status()).isEqualTo(255);
        assertThat(r.err()).contains("server.document-root is not set");
    }

    static void signal(Process p, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }
}
