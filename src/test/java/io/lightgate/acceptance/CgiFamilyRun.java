package io.lightgate.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import io.lightgate.testing.Children;
import io.lightgate.testing.OpenFds;
import io.lightgate.testing.TestServer;
import java.io.IOException;
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
        long fds = OpenFds.count();
        TestServer server = seed.start();
        if (route.helper != null) {
            assertThat(seed.runningHelper()).as("lightgate %s spawned via bin-path at start-up", route.helper)
                    .isPresent();
        }
        return new CgiFamilyRun(seed, server, dir, fds);
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

    /** Children of this JVM in state Z. */
    static List<Long> zombies() {
        try (Stream<ProcessHandle> children = ProcessHandle.current().children()) {
            return children.map(ProcessHandle::pid).filter(CgiFamilyRun::zombie).toList();
        }
    }

    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException gone) {
            return false;
        }
    }
}
