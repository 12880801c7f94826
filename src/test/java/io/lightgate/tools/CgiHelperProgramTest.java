package io.lightgate.tools;

import io.lightgate.os.EventLoops;
import io.lightgate.os.ExitStatus;
import io.lightgate.os.ListeningSocket;
import io.lightgate.os.Posix;
import io.lightgate.os.Spawn;
import io.lightgate.os.SpawnedProcess;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The helper programs as real processes: {@code java ... io.lightgate.Main scgi-cgi} with its listening socket
 * as fd 0 (SIGTERM: the running request finishes, exit 0), and both helpers behind Debian's lighttpd 1.4
 * (mod_scgi and mod_fastcgi spawning them through bin-path) answering a GET with a query and a POST.
 */
class CgiHelperProgramTest {
    private static final Path LIGHTTPD = Path.of("/usr/sbin/lighttpd");
    private static MultiThreadIoEventLoopGroup group;
    private static IoEventLoop loop;

    @TempDir
    Path dir;

    @BeforeAll
    static void loop() {
        assumeTrue(Epoll.isAvailable(), "the epoll transport");
        group = new MultiThreadIoEventLoopGroup(1, EventLoops.epoll());
        loop = (IoEventLoop) group.next();
    }

    @AfterAll
    static void stop() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<String> helperCommand(String subcommand) {
        return List.of(java(), "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.lightgate.Main", subcommand);
    }

    private Path script(Path directory, String name, String body) throws Exception {
        Files.createDirectories(directory);
        Path file = directory.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void sigtermLetsTheRunningRequestFinishAndExitsZero() throws Exception {
        Path slow = script(dir, "slow.cgi", "sleep 1\nprintf 'Content-Type: text/plain\\r\\n\\r\\nfinished\\n'\n");
        ListeningSocket socket = ListeningSocket.open(UnixDomainSocketAddress.of(dir.resolve("scgi.sock")), 16);
        SpawnedProcess helper;
        List<String> argv = helperCommand("scgi-cgi");
        try {
            helper = Spawn.spawn(Spawn.Request.of(Path.of(argv.getFirst()), argv, Map.of("PATH", "/usr/bin:/bin"),
                    socket.fd()));
        } finally {
            socket.close(); // the child has it as fd 0
        }
        Future<ExitStatus> exit = helper.watch(loop);
        try (HelperClient client = new HelperClient(socket.localAddress())) {
            client.scgiHead(HelperClient.env(slow.toString()));
            // wait until the request runs (the JVM starts first), then ask the helper to stop
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Files.list(Path.of("/proc")).noneMatch(p -> cmdline(p).contains(slow.toString()))
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            helper.signal(Posix.SIGTERM);
            assertThat(client.readAll(30)).isEqualTo("Content-Type: text/plain\r\n\r\nfinished\n");
        }
        assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Exited(0));
    }

    private static String cmdline(Path proc) {
        try {
            return Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
        } catch (Exception gone) {
            return "";
        }
    }

    @Test
    void lighttpdRunsCgiScriptsThroughScgiCgiAndFcgiCgi() throws Exception {
        if (!Files.isExecutable(LIGHTTPD)) {
            if (System.getenv("CI") != null) {
                throw new AssertionError("CI must install the lighttpd package (" + LIGHTTPD + " is missing)");
            }
            assumeTrue(false, "lighttpd is not installed");
        }
        Path docroot = dir.resolve("docroot");
        String show = """
                printf 'Content-Type: text/plain\\r\\n\\r\\n'
                echo "method=$REQUEST_METHOD query=$QUERY_STRING script=$SCRIPT_NAME"
                if [ "${CONTENT_LENGTH:-0}" -gt 0 ]; then printf 'body='; head -c "$CONTENT_LENGTH"; echo; fi
                """;
        script(docroot, "test.scgi", show);
        script(docroot, "test.fcgi", show);
        String marker = "-Dlightgate.test=" + dir;
        for (String helper : List.of("scgi-cgi", "fcgi-cgi")) {
            List<String> command = helperCommand(helper);
            StringBuilder exec = new StringBuilder("exec");
            for (String word : List.of(command.getFirst(), marker)) {
                exec.append(" '").append(word).append('\'');
            }
            for (String word : command.subList(1, command.size())) {
                exec.append(" '").append(word).append('\'');
            }
            script(dir, helper + ".sh", exec + "\n");
        }
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path conf = dir.resolve("lighttpd.conf");
        Files.writeString(conf, """
                server.document-root = "%1$s/docroot"
                server.bind = "127.0.0.1"
                server.port = %2$d
                server.errorlog = "%1$s/error.log"
                server.modules = ( "mod_scgi", "mod_fastcgi" )
                scgi.server = ( ".scgi" => (( "socket" => "%1$s/scgi.sock", "bin-path" => "%1$s/scgi-cgi.sh",
                                              "max-procs" => 1 )) )
                fastcgi.server = ( ".fcgi" => (( "socket" => "%1$s/fcgi.sock", "bin-path" => "%1$s/fcgi-cgi.sh",
                                                 "max-procs" => 1 )) )
                """.formatted(dir, port));
        Process lighttpd = new ProcessBuilder(LIGHTTPD.toString(), "-D", "-f", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("lighttpd.out").toFile()).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            for (String suffix : List.of("scgi", "fcgi")) {
                URI get = URI.create("http://127.0.0.1:" + port + "/test." + suffix + "?a=1&b=two");
                HttpResponse<String> got = send(http, HttpRequest.newBuilder(get).GET());
                assertThat(got.statusCode()).as(log()).isEqualTo(200);
                assertThat(got.body()).isEqualTo("method=GET query=a=1&b=two script=/test." + suffix + "\n");
                URI post = URI.create("http://127.0.0.1:" + port + "/test." + suffix);
                HttpResponse<String> posted = send(http, HttpRequest.newBuilder(post)
                        .POST(HttpRequest.BodyPublishers.ofString("hello from the client")));
                assertThat(posted.statusCode()).isEqualTo(200);
                assertThat(posted.body()).isEqualTo("method=POST query= script=/test." + suffix
                        + "\nbody=hello from the client\n");
                URI missing = URI.create("http://127.0.0.1:" + port + "/missing." + suffix);
                assertThat(send(http, HttpRequest.newBuilder(missing).GET()).statusCode()).isEqualTo(404);
            }
        } finally {
            lighttpd.destroy();
            assertThat(lighttpd.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        // lighttpd stops its bin-path children with SIGTERM; they exit on their own
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (helpersRunning(marker) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(helpersRunning(marker)).as("helpers still running").isFalse();
    }

    private HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("error.log"));
        } catch (Exception e) {
            return "(no error.log)";
        }
    }

    private static boolean helpersRunning(String marker) throws Exception {
        try (var procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .anyMatch(p -> cmdline(p).contains(marker) && !isZombie(p));
        }
    }

    private static boolean isZombie(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (Exception gone) {
            return true;
        }
    }
}
