package io.lightgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lightgate.testing.Children;
import io.lightgate.testing.LeakGuard;
import io.lightgate.testing.TestServer;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole gateway path with a spawned backend, through a real server: bin-path starts the seed's echo.pl on
 * a unix socket at start-up, requests are tunnelled to it, a child killed with SIGKILL is respawned and serves
 * again, and shutting the server down stops the child and removes its socket file.
 */
@ExtendWith(LeakGuard.class)
class SpawnedBackendIntegrationTest {
    private static final Path SEED_ECHO = Path.of("..", "shared", "seed", "samples", "echo.pl");

    @TempDir
    Path dir;

    private Path echoProgram() throws IOException {
        assumeTrue(Epoll.isAvailable(), "spawning needs Linux");
        Path program = dir.resolve("echo.pl");
        if (Files.isRegularFile(SEED_ECHO)) {
            Files.copy(SEED_ECHO, program);
        } else {
            // the same program as the seed's, for a checkout without ../shared beside it
            Files.writeString(program, "#!/usr/bin/perl -Tw\n$SIG{PIPE} = 'IGNORE';\n"
                    + "for (my $FH; accept($FH, STDIN); close $FH) {\n"
                    + "    select($FH); $|=1;\n    print $FH $_ while (<$FH>);\n}\n");
        }
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwx------"));
        return program;
    }

    @Test
    void spawnsAtStartRespawnsAfterAKillAndStopsWithTheServer() throws Exception {
        Path program = echoProgram();
        Path socket = dir.resolve("echo.sock");
        TestServer srv = TestServer.start("server.modules = ( \"mod_testtunnel\" )\n"
                + "testtunnel.server = ( \"/ws/\" => (( \"socket\" => \"" + socket + "\", \"bin-path\" => \""
                + program + "\", \"max-procs\" => 1 )))\n", TestTunnelModule.registry());
        long firstPid;
        try {
            // lighttpd's naming: proc 0 of a socket host listens on <socket>-0
            Path procSocket = Path.of(socket + "-0");
            assertThat(procSocket).exists();
            firstPid = childRunning(program).orElseThrow(() -> new AssertionError("echo.pl was not spawned"));
            assertThat(echo(srv, "one\n")).isEqualTo("one\n");

            ProcessHandle.of(firstPid).orElseThrow().destroyForcibly();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Optional<Long> next = Optional.empty();
            while (System.nanoTime() < deadline) {
                next = childRunning(program).filter(pid -> pid != firstPid);
                if (next.isPresent()) {
                    break;
                }
                Thread.sleep(20);
            }
            assertThat(next).as("a new echo.pl after the kill").isPresent();
            assertThat(srv.errorLines().toString()).contains("gw-spawn");
            // the first restart has no delay, but the socket must be listening again before we connect
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String answer = null;
            while (answer == null && System.nanoTime() < deadline) {
                try {
                    answer = echo(srv, "two\n");
                } catch (AssertionError | IOException notYet) {
                    Thread.sleep(50);
                }
            }
            assertThat(answer).isEqualTo("two\n");
        } finally {
            srv.close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (childRunning(program).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(childRunning(program)).as("no echo.pl left after shutdown").isEmpty();
        assertThat(Path.of(socket + "-0")).doesNotExist();
    }

    @Test
    void aGracefulRestartKeepsTheChildrenAndTheTunnelsToThem() throws Exception {
        Path program = echoProgram();
        String config = "server.modules = ( \"mod_testtunnel\" )\n"
                + "testtunnel.server = ( \"/ws/\" => (( \"socket\" => \"" + dir.resolve("echo.sock")
                + "\", \"bin-path\" => \"" + program + "\", \"max-procs\" => 1 )))\n";
        TestServer srv = TestServer.start(config, TestTunnelModule.registry());
        try {
            long pid = childRunning(program).orElseThrow();
            try (TunnelClient open = TunnelClient.open(srv.port(), "/ws/")) {
                open.send("before\n");
                assertThat(open.read(7)).isEqualTo("before\n");
                srv.restart(config + "server.tag = \"second\"\n");
                // the tunnel opened under the old config still reaches the same child
                open.send("during\n");
                assertThat(open.read(7)).isEqualTo("during\n");
            }
            // (echo.pl serves one connection at a time, so the new config's first tunnel comes after)
            assertThat(echo(srv, "new\n")).isEqualTo("new\n");
            // the old config is done once its last connection closed (polled each second); its modules stop then
            Thread.sleep(1500);
            assertThat(childRunning(program)).contains(pid);
            assertThat(echo(srv, "after\n")).isEqualTo("after\n");
        } finally {
            srv.close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (childRunning(program).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(childRunning(program)).isEmpty();
    }

    @Test
    void aBackendThatCannotStartFailsStartUpNamingIt() throws Exception {
        assumeTrue(Epoll.isAvailable(), "spawning needs Linux");
        Path program = dir.resolve("fails.sh");
        Files.writeString(program, "#!/bin/sh\nexit 3\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwx------"));
        try (TestServer srv = TestServer.start("server.modules = ( \"mod_testtunnel\" )\n"
                + "testtunnel.server = ( \"/ws/\" => (( \"socket\" => \"" + dir.resolve("f.sock") + "\", "
                + "\"bin-path\" => \"" + program + "\", \"max-procs\" => 1 )))\n", TestTunnelModule.registry())) {
            throw new AssertionError("started although the backend exits at once: " + srv.port());
        } catch (io.lightgate.config.ConfigException e) {
            assertThat(e.getMessage()).contains("spawning " + program + " failed").contains("status 3");
        }
    }

    private static String echo(TestServer srv, String line) throws IOException {
        try (TunnelClient c = TunnelClient.open(srv.port(), "/ws/")) {
            assertThat(c.status()).isEqualTo(101);
            c.send(line);
            return c.read(line.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    /** Our child running {@code program}. */
    private static Optional<Long> childRunning(Path program) {
        return Children.running(program).map(ProcessHandle::pid);
    }
}
