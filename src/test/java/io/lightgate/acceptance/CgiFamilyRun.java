package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.Children;
import io.lightgate.testing.OpenFds;
import io.lightgate.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One server running a {@link SeedCgiFamily} config, and on close the checks every run ends with: the spawned
 * helper program stopped with the server, no process left whose command line names the test directory (CGI
 * programs, helpers), no zombie child of this JVM, and this JVM back to the descriptors it had before.
 */
final class CgiFamilyRun implements AutoCloseable {
    private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(15);

    final SeedCgiFamily seed;
    final TestServer server;
    private final Path dir;
    private final long fdsBefore;

    private CgiFamilyRun(SeedCgiFamily seed, TestServer server, Path dir, long fdsBefore) {
        this.seed = seed;
        this.server = server;
        this.dir = dir;
        this.fdsBefore = fdsBefore;
    }

    static CgiFamilyRun start(Path dir, SeedCgiFamily.Route route) throws Exception {
        SeedCgiFamily seed = SeedCgiFamily.prepare(dir, route);
        warmUpOnce();
        long fds = OpenFds.count();
        TestServer server = seed.start();
        if (route.helper != null) {
            assertThat(seed.runningHelper()).as("lightgate %s spawned via bin-path at start-up", route.helper)
                    .isPresent();
        }
        return new CgiFamilyRun(seed, server, dir, fds);
    }

    private static boolean warmedUp;

    /**
     * The first server run with a CGI in a JVM opens descriptors that stay for the JVM's life (an unnamed unix
     * socket whose peer is closed at once); one throw-away run of a trivial CGI before the first count keeps
     * them out of the comparison.
     */
    private static synchronized void warmUpOnce() throws Exception {
        if (warmedUp) {
            return;
        }
        warmedUp = true;
        try (TestServer server = TestServer.start("server.modules += (\"mod_cgi\")\ncgi.assign = (\".cgi\" => \"\")\n")) {
            Path script = server.docroot().resolve("warm.cgi");
            Files.writeString(script, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nwarm'\n");
            SeedCgiFamily.executable(script);
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri("/warm.cgi")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.body()).isEqualTo("warm");
            }
        }
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() throws Exception {
        server.close();
        long deadline = System.nanoTime() + SETTLE_NANOS;
        while (System.nanoTime() < deadline
                && (!leftOver().isEmpty() || !zombies().isEmpty() || OpenFds.count() != fdsBefore)) {
            Thread.sleep(20);
        }
        assertThat(seed.runningHelper()).as("the %s helper after the server stopped", seed.route).isEmpty();
        assertThat(leftOver()).as("processes naming %s after the server stopped", dir).isEmpty();
        assertThat(zombies()).as("zombie children of this JVM").isEmpty();
        assertThat(OpenFds.count()).as("open fds: %s", OpenFds.describe()).isEqualTo(fdsBefore);
    }

    /** Descendants of this JVM whose command line names the test directory, as "pid cmdline". */
    private List<String> leftOver() {
        try (Stream<ProcessHandle> all = ProcessHandle.current().descendants()) {
            return all.map(p -> p.pid() + " " + Children.cmdline(p.pid()))
                    .filter(line -> line.contains(dir.toString())).toList();
        }
    }

    /** Children of this JVM in state Z, as their /proc stat lines (pid and command name). */
    static List<String> zombies() {
        try (Stream<ProcessHandle> children = ProcessHandle.current().children()) {
            return children.map(p -> stat(p.pid())).filter(s -> s.substring(s.lastIndexOf(')') + 1).startsWith(" Z"))
                    .toList();
        }
    }

    private static String stat(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException gone) {
            return "()";
        }
    }
}

