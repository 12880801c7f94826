package io.lightgate.gateway.cgi;

import io.lightgate.os.ExitStatus;
import io.lightgate.os.Pipe;
import io.lightgate.os.Posix;
import io.lightgate.os.Spawn;
import io.lightgate.testing.LeakGuard;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.FileDescriptor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.lightgate.gateway.cgi.CgiProcesses.exitOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Starting CGI programs: argv, exact environment, cwd, stderr, spawn failures, SIGTERM then SIGKILL. */
@ExtendWith(LeakGuard.class)
class CgiProcessTest {
    private static CgiProcesses cgi;

    @TempDir
    Path dir;

    @BeforeAll
    static void loop() {
        assumeTrue(Epoll.isAvailable(), "the epoll transport");
        cgi = new CgiProcesses();
    }

    @AfterAll
    static void stop() {
        if (cgi != null) {
            cgi.close();
        }
    }

    @BeforeEach
    void baseline() throws Exception {
        cgi.baseline();
    }

    @AfterEach
    void clean() throws Exception {
        cgi.assertCleanAfterTest();
    }

    private Path script(String name, String text, String mode) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    private CgiProcess run(Path program, List<CgiVariable> env, int stderrFd) throws CgiSpawnException {
        CgiProcess.Command command = CgiProcess.Command.of(program, List.of(program.toString()), env,
                program.getParent(), stderrFd);
        return cgi.onLoopChecked(() -> CgiProcess.start(cgi.loop, ByteBufAllocator.DEFAULT, command,
                CgiProcess.Limits.NONE));
    }

    private static String output(CgiProcess process) throws Exception {
        StreamRecorder recorder = new StreamRecorder();
        cgi.run(() -> {
            process.stream().listen(recorder);
            process.stream().endRequestBody();
        });
        recorder.closed.get(10, TimeUnit.SECONDS);
        assertThat(recorder.events).containsExactly("end", "closed");
        return recorder.text();
    }

    @Test
    void theScriptSeesExactlyItsEnvironmentItsDirectoryAndPipesOnStdio() throws Exception {
        Path script = script("show.sh", """
                #!/bin/sh
                echo "cwd=$(pwd)"
                echo "args=$0 $#"
                /usr/bin/env
                """, "rwxr-xr-x");
        CgiProcess process = run(script, List.of(new CgiVariable("GATEWAY_INTERFACE", "CGI/1.1"),
                new CgiVariable("QUERY_STRING", "a=1&b=2"), new CgiVariable("PATH", "/usr/bin:/bin")),
                Spawn.INHERIT);
        String out = output(process);
        assertThat(exitOf(process)).isEqualTo(new ExitStatus.Exited(0));
        assertThat(out).startsWith("cwd=" + dir.toRealPath() + "\nargs=" + script + " 0\n");
        // env(1) shows the environment as exec'ed, plus PWD which sh exports itself
        assertThat(out.lines().filter(l -> l.contains("=") && !l.startsWith("cwd=") && !l.startsWith("args=")
                && !l.startsWith("PWD=")).toList())
                .containsExactly("GATEWAY_INTERFACE=CGI/1.1", "QUERY_STRING=a=1&b=2", "PATH=/usr/bin:/bin");
    }

    @Test
    void theChildHasOnlyPipesOnZeroAndOneAndOurStderr() throws Exception {
        CgiProcess sleeper = cgi.start(CgiProcess.Limits.NONE, "/bin/sleep", "60");
        Path fds = Path.of("/proc/" + sleeper.pid() + "/fd");
        List<String> entries;
        try (var list = Files.list(fds)) {
            entries = list.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(entries).containsExactly("0", "1", "2");
        assertThat(Files.readSymbolicLink(fds.resolve("0")).toString()).startsWith("pipe:");
        assertThat(Files.readSymbolicLink(fds.resolve("1")).toString()).startsWith("pipe:");
        assertThat(Files.readSymbolicLink(fds.resolve("2")))
                .isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/fd/2")));
        assertThat(Files.readString(Path.of("/proc/" + sleeper.pid() + "/stat")).split(" ")[4])
                .as("own process group").isEqualTo(String.valueOf(sleeper.pid()));
        sleeper.terminate();
        assertThat(exitOf(sleeper)).isEqualTo(new ExitStatus.Signaled(Posix.SIGTERM, false));
    }

    @Test
    void stderrGoesToTheGivenDescriptor() throws Exception {
        Path script = script("warn.sh", "#!/bin/sh\necho out\necho 'broken thing' >&2\n", "rwxr-xr-x");
        Pipe log = Pipe.open();
        try {
            CgiProcess process = run(script, List.of(), log.writeFd());
            assertThat(output(process)).isEqualTo("out\n");
            assertThat(exitOf(process)).isEqualTo(new ExitStatus.Exited(0));
            Posix.close(log.writeFd());
            ByteBuffer buffer = ByteBuffer.allocateDirect(256);
            int n = new FileDescriptor(log.readFd()).read(buffer, 0, buffer.capacity());
            byte[] bytes = new byte[n];
            buffer.get(0, bytes);
            assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("broken thing\n");
        } finally {
            Posix.close(log.readFd());
        }
    }

    @Test
    void aMissingProgramIsAClearSpawnFailureWithNothingLeftOpen() {
        assertThatThrownBy(() -> run(dir.resolve("missing.cgi"), List.of(), Spawn.INHERIT))
                .isInstanceOfSatisfying(CgiSpawnException.class, e -> {
                    assertThat(e.notFound()).isTrue();
                    assertThat(e.errnoName()).isEqualTo("ENOENT");
                    assertThat(e.getMessage()).contains("missing.cgi").contains("ENOENT");
                });
    }

    @Test
    void aProgramWithoutTheExecuteBitIsPermissionDenied() throws Exception {
        Path script = script("plain.sh", "#!/bin/sh\necho hi\n", "rw-r--r--");
        assumeTrue(!Files.isExecutable(script), "not running as root with CAP_DAC_OVERRIDE on +x");
        assertThatThrownBy(() -> run(script, List.of(), Spawn.INHERIT))
                .isInstanceOfSatisfying(CgiSpawnException.class, e -> {
                    assertThat(e.permissionDenied()).isTrue();
                    assertThat(e.errnoName()).isEqualTo("EACCES");
                });
    }

    @Test
    void anExecutableThatIsNoProgramIsENOEXEC() throws Exception {
        Path script = script("garbage.cgi", "\u0001\u0002 this is not a program\n", "rwxr-xr-x");
        assertThatThrownBy(() -> run(script, List.of(), Spawn.INHERIT))
                .isInstanceOfSatisfying(CgiSpawnException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("ENOEXEC");
                    assertThat(e.notFound()).isFalse();
                    assertThat(e.permissionDenied()).isFalse();
                });
    }

    @Test
    void terminateSendsSigterm() throws Exception {
        CgiProcess sleeper = cgi.start(CgiProcesses.limits(0, 0, Duration.ofSeconds(5)), "/bin/sleep", "60");
        sleeper.terminate();
        sleeper.terminate();
        assertThat(exitOf(sleeper)).isEqualTo(new ExitStatus.Signaled(Posix.SIGTERM, false));
    }

    @Test
    void terminateEscalatesToSigkillForAProgramThatIgnoresSigterm() throws Exception {
        Path script = script("stubborn.sh", "#!/bin/sh\ntrap '' TERM\necho ready\nsleep 60\necho never\n",
                "rwxr-xr-x");
        CgiProcess.Command command = CgiProcess.Command.of(script, List.of(script.toString()), List.of(),
                dir, Spawn.INHERIT);
        CgiProcess stubborn = cgi.onLoopChecked(() -> CgiProcess.start(cgi.loop, ByteBufAllocator.DEFAULT, command,
                CgiProcesses.limits(0, 0, Duration.ofMillis(200))));
        StreamRecorder recorder = new StreamRecorder();
        cgi.run(() -> stubborn.stream().listen(recorder));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!recorder.text().equals("ready\n") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(recorder.text()).isEqualTo("ready\n");
        long start = System.nanoTime();
        stubborn.terminate();
        assertThat(exitOf(stubborn)).isEqualTo(new ExitStatus.Signaled(Posix.SIGKILL, false));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(190);
        // the whole group went: sleep held stdout too, and its end is the EOF
        recorder.ended.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aNonEpollLoopIsRefused() {
        io.netty.channel.MultiThreadIoEventLoopGroup nio = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
                io.netty.channel.nio.NioIoHandler.newFactory());
        try {
            assertThatThrownBy(() -> CgiProcess.start((io.netty.channel.IoEventLoop) nio.next(),
                    ByteBufAllocator.DEFAULT, new CgiProcess.Command(Path.of("/bin/true"), List.of("true"),
                            CgiProcesses.ENV, null, Spawn.INHERIT), CgiProcess.Limits.NONE))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            nio.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
