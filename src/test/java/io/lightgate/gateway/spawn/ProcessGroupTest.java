package io.lightgate.gateway.spawn;

import io.lightgate.os.EventLoops;
import io.lightgate.log.ErrorLog;
import io.lightgate.os.ExitStatus;
import io.lightgate.os.Posix;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Real bin-path children on unix and TCP sockets: echo through them, kill them, crash-loop them, stop them. */
@Timeout(30)
class ProcessGroupTest {
    /** The seed's samples/echo.pl: accepts on fd 0 (STDIN) and echoes each connection's lines. */
    private static final String ECHO_PL = """
            #!/usr/bin/perl -Tw
            $SIG{PIPE} = 'IGNORE';
            for (my $FH; accept($FH, STDIN); close $FH) {
                select($FH); $|=1; # $FH->autoflush;
                print $FH $_ while (<$FH>);
            }
            """;
    /** The same in Python: the listening socket is fd 0, its family found by the socket module. */
    private static final String ECHO_PY = """
            #!/usr/bin/python3
            import socket
            listener = socket.socket(fileno=0)
            while True:
                connection, _ = listener.accept()
                with connection:
                    while data := connection.recv(4096):
                        connection.sendall(data)
            """;
    private static final Duration MS_10 = Duration.ofMillis(10);
    /** Quick clocks for tests that do not measure them. */
    private static final SupervisionTimings QUICK = new SupervisionTimings(MS_10, Duration.ofMillis(100),
            Duration.ofMillis(400), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(9),
            Duration.ofSeconds(17));

    private static MultiThreadIoEventLoopGroup loops;
    private static IoEventLoop loop;

    @TempDir
    Path temp;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final ErrorLog log = new ErrorLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8));
    private final List<ProcessGroup> groups = new ArrayList<>();
    private long descriptorsBefore;

    @BeforeAll
    static void startLoop() throws IOException {
        assumeTrue(Epoll.isAvailable() && Files.isDirectory(Path.of("/proc/self/fd")), "Linux with epoll only");
        // The JDK keeps one socket for its lifetime once NIO channels are used (its pre-close descriptor): open
        // it now so that the per-test count of our sockets sees only what spawning leaves.
        ServerSocketChannel.open(StandardProtocolFamily.UNIX).close();
        loops = new MultiThreadIoEventLoopGroup(1, EventLoops.epoll());
        loop = loops.next();
    }

    @AfterAll
    static void stopLoop() {
        if (loops != null) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @BeforeEach
    void countDescriptors() throws IOException {
        descriptorsBefore = ProcFs.ourSocketsAndPidfds();
    }

    /** Every test's groups are stopped; then no socket or pidfd of ours may remain. */
    @AfterEach
    void stopGroupsAndCheckDescriptors() throws Exception {
        for (ProcessGroup group : groups) {
            assertThat(group.stop().await(20, TimeUnit.SECONDS)).as("%s stopped", group).isTrue();
        }
        assertThat(ProcFs.ourSocketsAndPidfds()).as("sockets and pidfds after the test: %s", ProcFs.describeFds())
                .isEqualTo(descriptorsBefore);
    }

    private Path program(String name, String text) throws IOException {
        Path file = temp.resolve(name);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private Path perlEcho() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "perl is not installed");
        return program("echo.pl", ECHO_PL);
    }

    private Path pythonEcho() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "/usr/bin/python3 is not installed");
        return program("echo.py", ECHO_PY);
    }

    private static SpawnSpec spec(Path program, SocketAddress address) {
        return spec(program, address, Map.of(), null, Posix.SIGTERM);
    }

    private static SpawnSpec spec(Path program, SocketAddress address, Map<String, String> binEnvironment,
                                  List<String> binCopyEnvironment, int killSignal) {
        return new SpawnSpec(program, List.of(program.toString()), binEnvironment, binCopyEnvironment, address,
                SpawnSpec.DEFAULT_LISTEN_BACKLOG, killSignal);
    }

    private ProcessGroup group(List<SpawnSpec> specs, SupervisionTimings timings) {
        ProcessGroup group = new ProcessGroup(specs, loop, log, timings);
        groups.add(group);
        return group;
    }

    private String logText() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    /** Sends lines over one connection and reads the echo back (the child answers, so its exec is done). */
    private static String echo(SocketAddress address, String text) throws IOException {
        try (SocketChannel channel = SocketChannel.open(address)) {
            byte[] sent = text.getBytes(StandardCharsets.UTF_8);
            channel.write(ByteBuffer.wrap(sent));
            ByteBuffer received = ByteBuffer.allocate(sent.length);
            while (received.hasRemaining() && channel.read(received) >= 0) {
                // keep reading until all bytes are back
            }
            return new String(received.array(), 0, received.position(), StandardCharsets.UTF_8);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void awaitGone(int pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ProcFs.exists(pid) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(ProcFs.exists(pid)).as("pid %d reaped (no zombie)", pid).isFalse();
    }

    @Test
    void perlEchoOnTwoUnixSocketsGetsTheSocketAsFdZeroAndStopsCleanly() throws Exception {
        Path echo = perlEcho();
        UnixDomainSocketAddress host = UnixDomainSocketAddress.of(temp.resolve("echo.sock"));
        ProcessGroup group = group(List.of(spec(echo, SpawnSpec.procAddress(host, 0)),
                spec(echo, SpawnSpec.procAddress(host, 1))), SupervisionTimings.DEFAULTS);

        group.start();

        List<Integer> pids = new ArrayList<>();
        for (int proc = 0; proc < 2; proc++) {
            Path socketFile = temp.resolve("echo.sock-" + proc);
            assertThat(group.address(proc)).isEqualTo(UnixDomainSocketAddress.of(socketFile));
            assertThat(group.isUp(proc)).isTrue();
            assertThat(group.isExternal(proc)).isFalse();
            assertThat(echo(group.address(proc), "hello " + proc + "\nsecond line\n"))
                    .isEqualTo("hello " + proc + "\nsecond line\n");
            int pid = group.pid(proc).orElseThrow();
            pids.add(pid);
            assertThat(ProcFs.fdTarget(pid, 0)).startsWith("socket:");
            assertThat(ProcFs.cwd(pid)).isEqualTo(temp.toRealPath());
            assertThat(ProcFs.processGroup(pid)).as("own process group").isEqualTo(pid);
        }

        long stopStarted = System.nanoTime();
        assertThat(group.stop().await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - stopStarted)).as("SIGTERM was enough, no escalation")
                .isLessThan(Duration.ofSeconds(4));
        for (int proc = 0; proc < 2; proc++) {
            assertThat(temp.resolve("echo.sock-" + proc)).as("socket file unlinked").doesNotExist();
            assertThat(group.isUp(proc)).isFalse();
            awaitGone(pids.get(proc));
        }
        assertThat(logText()).doesNotContain("restart");
    }

    @Test
    void pythonEchoOnTcpPortPlusProc() throws Exception {
        Path echo = pythonEcho();
        InetSocketAddress host = new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort());
        ProcessGroup group = group(List.of(spec(echo, SpawnSpec.procAddress(host, 0))), QUICK);

        group.start();

        assertThat(echo(host, "over tcp\n")).isEqualTo("over tcp\n");
        assertThat(echo(host, "x".repeat(100_000))).isEqualTo("x".repeat(100_000));
        int pid = group.pid(0).orElseThrow();
        group.stop().sync();
        awaitGone(pid);
        try (SocketChannel _ = SocketChannel.open(host)) {
            throw new AssertionError("nothing may listen on " + host + " after stop");
        } catch (java.net.ConnectException expected) {
            // refused: the child and its socket are gone
        }
    }

    @Test
    void aBackendAlreadyListeningIsUsedAndNothingIsSpawned() throws Exception {
        Path marker = temp.resolve("spawned");
        Path program = program("touch-marker.sh", "#!/bin/sh\n: > '" + marker + "'\nexec sleep 30\n");
        Path socketFile = temp.resolve("external.sock");
        try (ServerSocketChannel external = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            external.bind(UnixDomainSocketAddress.of(socketFile));
            ProcessGroup group = group(List.of(spec(program, UnixDomainSocketAddress.of(socketFile))), QUICK);

            group.start();

            assertThat(group.isUp(0)).isTrue();
            assertThat(group.isExternal(0)).isTrue();
            assertThat(group.pid(0)).isEmpty();
            Thread.sleep(100);
            assertThat(marker).as("the program was not started").doesNotExist();
            group.stop().sync();
            assertThat(socketFile).as("someone else's socket file is left alone").exists();
        }
    }

    @Test
    void aStaleUnixSocketFileIsReplaced() throws Exception {
        Path echo = pythonEcho();
        Path socketFile = temp.resolve("stale.sock");
        try (ServerSocketChannel previous = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            previous.bind(UnixDomainSocketAddress.of(socketFile));
        }
        assertThat(socketFile).as("closing does not unlink: a stale socket file").exists();
        ProcessGroup group = group(List.of(spec(echo, UnixDomainSocketAddress.of(socketFile))), QUICK);

        group.start();

        assertThat(group.isExternal(0)).isFalse();
        assertThat(echo(UnixDomainSocketAddress.of(socketFile), "fresh\n")).isEqualTo("fresh\n");
    }

    @Test
    void binEnvironmentAndBinCopyEnvironmentMakeTheChildsEnvironment() throws Exception {
        String home = System.getenv("HOME");
        assumeTrue(home != null, "HOME is set for the test JVM");
        Path echo = pythonEcho();
        Map<String, String> binEnvironment = new LinkedHashMap<>();
        binEnvironment.put("LG_ONE", "1");
        binEnvironment.put("LG_SPACE", "a b=c");
        UnixDomainSocketAddress onlyCopied = UnixDomainSocketAddress.of(temp.resolve("copied.sock"));
        UnixDomainSocketAddress inherited = UnixDomainSocketAddress.of(temp.resolve("inherited.sock"));
        ProcessGroup copying = group(List.of(spec(echo, onlyCopied, binEnvironment,
                List.of("HOME", "LIGHTGATE_NEVER_SET"), Posix.SIGTERM)), QUICK);
        ProcessGroup inheriting = group(List.of(spec(echo, inherited, Map.of("PHP_FCGI_CHILDREN", "4"),
                null, Posix.SIGTERM)), QUICK);

        copying.start();
        inheriting.start();

        // An answer means the child is past execve, so /proc shows the environment it runs with.
        assertThat(echo(onlyCopied, "env\n")).isEqualTo("env\n");
        assertThat(echo(inherited, "env\n")).isEqualTo("env\n");
        assertThat(ProcFs.environ(copying.pid(0).orElseThrow())).containsExactly(Map.entry("HOME", home),
                Map.entry("LG_ONE", "1"), Map.entry("LG_SPACE", "a b=c"), Map.entry("PHP_FCGI_CHILDREN", "1"));
        Map<String, String> expected = new LinkedHashMap<>(System.getenv());
        expected.put("PHP_FCGI_CHILDREN", "4");
        assertThat(ProcFs.environ(inheriting.pid(0).orElseThrow())).containsExactlyInAnyOrderEntriesOf(expected);
    }

    @Test
    void aChildKilledWithSigkillIsRespawnedAndServesAgain() throws Exception {
        Path echo = pythonEcho();
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(temp.resolve("respawn.sock"));
        ProcessGroup group = group(List.of(spec(echo, address)), QUICK);
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        group.addListener(new ProcListener() {
            @Override
            public void procUp(int proc) {
                events.add("up " + proc);
            }

            @Override
            public void procDown(int proc, ExitStatus status) {
                events.add("down " + proc + " " + status);
            }
        });
        group.start();
        assertThat(echo(address, "before\n")).isEqualTo("before\n");
        int first = group.pid(0).orElseThrow();

        Posix.kill(first, Posix.SIGKILL);

        assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("down 0 " + new ExitStatus.Signaled(9, false));
        assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("up 0");
        awaitGone(first);
        int second = group.pid(0).orElseThrow();
        assertThat(second).isNotEqualTo(first);
        assertThat(group.isUp(0)).isTrue();
        assertThat(echo(address, "after\n")).isEqualTo("after\n");
        assertThat(logText()).contains("child killed by signal 9: " + echo + " (pid " + first)
                .contains("restarting now").contains("restarted " + echo + " (pid " + second);
    }

    @Test
    void aRestartFindingSomeoneElseListeningUsesThemInstead() throws Exception {
        Path echo = pythonEcho();
        Path socketFile = temp.resolve("taken-over.sock");
        SupervisionTimings timings = new SupervisionTimings(MS_10, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(9), Duration.ofSeconds(17));
        ProcessGroup group = group(List.of(spec(echo, UnixDomainSocketAddress.of(socketFile))), timings);
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        group.addListener(new ProcListener() {
            @Override
            public void procUp(int proc) {
                events.add("up");
            }

            @Override
            public void procDown(int proc, ExitStatus status) {
                events.add("down");
            }
        });
        group.start();
        Posix.kill(group.pid(0).orElseThrow(), Posix.SIGKILL);
        assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("down");
        assertThat(events.poll(5, TimeUnit.SECONDS)).as("first death: restarted at once").isEqualTo("up");
        Posix.kill(group.pid(0).orElseThrow(), Posix.SIGKILL);
        assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("down");
        assertThat(group.isUp(0)).isFalse();

        // Within the 1 s back-off another server takes the address.
        Files.delete(socketFile);
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(socketFile));
            assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo("up");
            assertThat(group.isExternal(0)).isTrue();
            assertThat(group.isUp(0)).isTrue();
            assertThat(group.pid(0)).isEmpty();
            group.stop().sync();
            assertThat(socketFile).as("not ours any more: left alone").exists();
        }
        assertThat(logText()).contains("restarting in 1 s")
                .contains("a backend already listens on " + socketFile + "; using it instead of spawning");
    }

    @Test
    void aRelativeProgramPathIsResolvedAgainstOurWorkingDirectory() throws Exception {
        Path echo = pythonEcho();
        Path relative = Path.of("").toAbsolutePath().relativize(echo);
        assertThat(relative.isAbsolute()).isFalse();
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(temp.resolve("relative.sock"));
        ProcessGroup group = group(List.of(new SpawnSpec(relative, List.of(relative.toString()), Map.of(), null,
                address, 16, Posix.SIGTERM)), QUICK);

        group.start();

        assertThat(echo(address, "relative\n")).isEqualTo("relative\n");
        assertThat(ProcFs.cwd(group.pid(0).orElseThrow())).isEqualTo(temp.toRealPath());
    }

    @Test
    void aCrashLoopBacksOffExponentiallyUpToTheMaximum() throws Exception {
        // The first run lives through start-up; every respawn exits at once.
        Path marker = temp.resolve("ran-once");
        Path program = program("crash.sh", "#!/bin/sh\n[ -e \"$MARKER\" ] && exit 3\n: > \"$MARKER\"\n"
                + "exec sleep 0.3\n");
        SupervisionTimings timings = new SupervisionTimings(MS_10, Duration.ofMillis(100), Duration.ofMillis(400),
                Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(9), Duration.ofSeconds(17));
        ProcessGroup group = group(List.of(spec(program, UnixDomainSocketAddress.of(temp.resolve("crash.sock")),
                Map.of("MARKER", marker.toString()), List.of(), Posix.SIGTERM)), timings);
        List<Long> downs = new ArrayList<>();
        List<Long> ups = new ArrayList<>();
        List<ExitStatus> statuses = new ArrayList<>();
        BlockingQueue<Integer> restarts = new LinkedBlockingQueue<>();
        group.addListener(new ProcListener() {
            @Override
            public void procUp(int proc) {
                ups.add(System.nanoTime());
                restarts.add(ups.size());
            }

            @Override
            public void procDown(int proc, ExitStatus status) {
                downs.add(System.nanoTime());
                statuses.add(status);
            }
        });

        group.start();
        for (int i = 1; i <= 6; i++) {
            assertThat(restarts.poll(5, TimeUnit.SECONDS)).as("restart %d", i).isEqualTo(i);
        }
        group.stop().sync();

        assertThat(statuses.getFirst()).isEqualTo(new ExitStatus.Exited(0));
        assertThat(statuses.subList(1, 6)).containsOnly(new ExitStatus.Exited(3));
        long[] expectedMillis = {0, 100, 200, 400, 400, 400};
        for (int i = 0; i < expectedMillis.length; i++) {
            long gapMillis = TimeUnit.NANOSECONDS.toMillis(ups.get(i) - downs.get(i));
            assertThat(gapMillis).as("delay before restart %d", i + 1)
                    .isGreaterThanOrEqualTo(expectedMillis[i])
                    .isLessThan(Math.max(expectedMillis[i], 50) + 250);
        }
        assertThat(logText()).contains("restarting now").contains("restarting in 0.100 s")
                .contains("restarting in 0.200 s").contains("restarting in 0.400 s")
                .doesNotContain("restarting in 0.800 s");
    }

    @Test
    void stopEscalatesFromKillSignalToSigtermToSigkill() throws Exception {
        Path events = temp.resolve("signals.log");
        Path program = program("stubborn.sh", """
                #!/bin/sh
                exec 2>/dev/null
                trap 'echo usr1 >> "$EVENTS"' USR1
                trap 'echo term >> "$EVENTS"' TERM
                echo ready >> "$EVENTS"
                while :; do sleep 0.02; done
                """);
        SupervisionTimings timings = new SupervisionTimings(MS_10, Duration.ofMillis(100), Duration.ofMillis(400),
                Duration.ofSeconds(5), Duration.ofMillis(300), Duration.ofMillis(600), Duration.ofMillis(900));
        ProcessGroup group = group(List.of(spec(program, UnixDomainSocketAddress.of(temp.resolve("stubborn.sock")),
                Map.of("EVENTS", events.toString()), null, Posix.SIGUSR1)), timings);
        group.start();
        int pid = group.pid(0).orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!(Files.exists(events) && Files.readString(events).contains("ready")) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }

        long stopStarted = System.nanoTime();
        assertThat(group.stop().await(10, TimeUnit.SECONDS)).isTrue();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopStarted);

        assertThat(tookMillis).as("reaped only after SIGKILL at 900 ms").isBetween(900L, 3000L);
        assertThat(Files.readAllLines(events)).containsExactly("ready", "usr1", "usr1", "term");
        awaitGone(pid);
        assertThat(temp.resolve("stubborn.sock")).doesNotExist();
        assertThat(logText()).contains("sending signal 10").contains("sending signal 15")
                .contains("sending signal 9");
    }

    @Test
    void aChildThatExitsAtOnceFailsStartUp() throws Exception {
        Path program = program("fails.sh", "#!/bin/sh\nexit 3\n");
        SupervisionTimings timings = new SupervisionTimings(Duration.ofMillis(500), Duration.ofMillis(100),
                Duration.ofMillis(400), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(9),
                Duration.ofSeconds(17));
        Path socketFile = temp.resolve("fails.sock");
        ProcessGroup group = group(List.of(spec(program, UnixDomainSocketAddress.of(socketFile))), timings);

        assertThatThrownBy(group::start).isInstanceOf(SpawnException.class)
                .hasMessage("spawning " + program + " failed: exited with status 3");

        assertThat(group.stop().isDone()).as("start stopped everything before throwing").isTrue();
        assertThat(socketFile).doesNotExist();
        assertThat(group.isUp(0)).isFalse();
        assertThatThrownBy(group::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aProgramThatIsNotExecutableFailsStartUpBeforeAnythingIsBound() throws Exception {
        Path script = temp.resolve("not-executable.sh");
        Files.writeString(script, "#!/bin/sh\n");
        Path socketFile = temp.resolve("never.sock");
        ProcessGroup missing = group(List.of(spec(temp.resolve("missing"), UnixDomainSocketAddress.of(socketFile))),
                QUICK);
        ProcessGroup notExecutable = group(List.of(spec(script, UnixDomainSocketAddress.of(socketFile))), QUICK);

        assertThatThrownBy(missing::start).isInstanceOf(SpawnException.class)
                .hasMessageContaining("spawning " + temp.resolve("missing") + " failed: ")
                .hasMessageEndingWith("is not an executable regular file");
        assertThatThrownBy(notExecutable::start).isInstanceOf(SpawnException.class)
                .hasMessageEndingWith("is not an executable regular file");
        assertThat(socketFile).doesNotExist();
    }

    @Test
    void aSocketPathThatCannotBeBoundFailsStartUpAndStopsTheProcsAlreadyStarted() throws Exception {
        Path echo = pythonEcho();
        UnixDomainSocketAddress good = UnixDomainSocketAddress.of(temp.resolve("good.sock"));
        UnixDomainSocketAddress bad = UnixDomainSocketAddress.of(temp.resolve("no-such-dir/bad.sock"));
        ProcessGroup group = group(List.of(spec(echo, good), spec(echo, bad)), QUICK);

        assertThatThrownBy(group::start).isInstanceOf(SpawnException.class)
                .hasMessageContaining("spawning " + echo + " failed: ")
                .hasMessageContaining("bad.sock");

        assertThat(temp.resolve("good.sock")).as("proc 0 was stopped and its socket unlinked").doesNotExist();
        assertThat(group.isUp(0)).isFalse();
    }
}
