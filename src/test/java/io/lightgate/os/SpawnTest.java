package io.lightgate.os;

import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.FileDescriptor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** posix_spawn through FFM, checked against what /proc says about the real child. */
class SpawnTest {
    private static final Map<String, String> ENV = env("PATH", "/usr/bin:/bin", "LIGHTGATE_CHECK", "a b=c");
    private static final int O_NONBLOCK = 04000;

    private static MultiThreadIoEventLoopGroup group;
    private static IoEventLoop loop;

    @TempDir
    Path temp;

    @BeforeAll
    static void startLoop() {
        assumeTrue(Proc.isLinux() && Epoll.isAvailable(), "Linux with the epoll transport only");
        group = new MultiThreadIoEventLoopGroup(1, EventLoops.epoll());
        loop = group.next();
    }

    @AfterAll
    static void stopLoop() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * posix_spawn returns once the child has released our address space inside execve, which is before the kernel
     * has closed its close-on-exec descriptors and written the new environment. Wait (bounded) for that to finish
     * so the checks below look at the program as it runs, not at a half-executed child.
     */
    static void awaitExecDone(int pid) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Proc.environ(pid).isEmpty() || !Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString()
                .endsWith("sleep")) {
            assertThat(System.nanoTime()).as("child %d finished execve within 10 s", pid).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    static Map<String, String> env(String... pairs) {
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void childHasOnlyStdioCleanSignalsItsOwnGroupAndExactlyOurEnvironment() throws Exception {
        Path someFile = Files.writeString(temp.resolve("open-in-jvm.txt"), "x");
        Pipe stdin = Pipe.open();
        Pipe unrelated = Pipe.open();
        // SIGWINCH's default action is "ignore" anyway, so ignoring it here changes nothing for the JVM; the
        // child must still see it reset to SIG_DFL.
        Posix.ignoreSignal(Posix.SIGWINCH);
        try (FileInputStream _ = new FileInputStream(someFile.toFile());
             ServerSocket _ = new ServerSocket(0)) {
            assertThat(Proc.statusMask("self", "SigIgn") & bit(Posix.SIGWINCH)).isNotZero();

            SpawnedProcess child = Spawn.spawn(Spawn.Request.of(Path.of("/bin/sleep"), List.of("sleep", "30"),
                    ENV, stdin.readFd()).withCwd(temp));
            try {
                int pid = child.pid();
                awaitExecDone(pid);
                assertThat(Proc.fds(pid)).containsExactly(0, 1, 2);
                assertThat(Proc.fdTarget(String.valueOf(pid), 0)).isEqualTo(Proc.fdTarget("self", stdin.readFd()));
                assertThat(Proc.statusMask(String.valueOf(pid), "SigBlk")).isZero();
                // Signals 1..31; glibc keeps its internal real-time signals 32/33 ignored, which is harmless.
                assertThat(Proc.statusMask(String.valueOf(pid), "SigIgn") & 0x7fff_ffffL).isZero();
                assertThat(Proc.processGroup(pid)).isEqualTo(pid);
                assertThat(Proc.environ(pid)).containsExactly("PATH=/usr/bin:/bin", "LIGHTGATE_CHECK=a b=c");
                assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd"))).isEqualTo(temp.toRealPath());
            } finally {
                assertThat(child.signal(Posix.SIGTERM)).isTrue();
                assertThat(child.watch(loop).get(10, TimeUnit.SECONDS))
                        .isEqualTo(new ExitStatus.Signaled(Posix.SIGTERM, false));
            }
        } finally {
            Posix.resetSignalToDefault(Posix.SIGWINCH);
            closeAll(stdin.readFd(), stdin.writeFd(), unrelated.readFd(), unrelated.writeFd());
        }
    }

    @Test
    void stdoutAndStderrGoToTheGivenDescriptors() throws Exception {
        Pipe stdin = Pipe.open();
        Pipe output = Pipe.open();
        try {
            SpawnedProcess child = Spawn.spawn(Spawn.Request.of(Path.of("/bin/sh"),
                            List.of("sh", "-c", "echo out; echo err >&2; read line; echo \"got $line\"; exit 3"),
                            ENV, stdin.readFd())
                    .withStdout(output.writeFd()).withStderr(output.writeFd()));
            // Our copies of the child's ends go, so EOF means the child closed its side.
            closeAll(stdin.readFd(), output.writeFd());
            ByteBuffer ping = ByteBuffer.allocateDirect(5).put("ping\n".getBytes(StandardCharsets.US_ASCII)).flip();
            assertThat(new FileDescriptor(stdin.writeFd()).write(ping, 0, 5)).isEqualTo(5);
            closeAll(stdin.writeFd());

            assertThat(readToEnd(output.readFd())).isEqualTo("out\nerr\ngot ping\n");
            assertThat(child.watch(loop).get(10, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Exited(3));
        } finally {
            closeAll(output.readFd());
        }
    }

    @Test
    void nonBlockingIsSetOnTheGivenEndOnly() throws Exception {
        Pipe pipe = Pipe.open();
        try {
            assertThat(Proc.fdFlags(pipe.readFd()) & O_NONBLOCK).isZero();
            Posix.setNonBlocking(pipe.readFd());
            assertThat(Proc.fdFlags(pipe.readFd()) & O_NONBLOCK).isNotZero();
            assertThat(Proc.fdFlags(pipe.writeFd()) & O_NONBLOCK).isZero();
            // An empty non-blocking pipe answers at once instead of parking this thread.
            assertThat(new FileDescriptor(pipe.readFd()).read(ByteBuffer.allocateDirect(16), 0, 16)).isZero();
        } finally {
            closeAll(pipe.readFd(), pipe.writeFd());
        }
    }

    @Test
    void missingProgramFailsAtOnceWithEnoent() throws Exception {
        Pipe stdin = Pipe.open();
        long pidfdsBefore = Proc.openPidfds();
        try {
            assertThatThrownBy(() -> Spawn.spawn(Spawn.Request.of(temp.resolve("no-such-program"),
                    List.of("x"), ENV, stdin.readFd())))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> {
                        assertThat(e.errno()).isEqualTo(Posix.ENOENT);
                        assertThat(e.errnoName()).isEqualTo("ENOENT");
                    })
                    .hasMessageContaining("posix_spawn(" + temp.resolve("no-such-program") + ")")
                    .hasMessageContaining("ENOENT (No such file or directory)");
            assertThat(Proc.openPidfds()).isEqualTo(pidfdsBefore);
        } finally {
            closeAll(stdin.readFd(), stdin.writeFd());
        }
    }

    @Test
    void nonExecutableFileFailsWithEacces() throws Exception {
        Path script = Files.writeString(temp.resolve("not-executable.sh"), "#!/bin/sh\nexit 0\n");
        Pipe stdin = Pipe.open();
        try {
            assertThatThrownBy(() -> Spawn.spawn(Spawn.Request.of(script, List.of("x"), ENV, stdin.readFd())))
                    .isInstanceOfSatisfying(ErrnoException.class,
                            e -> assertThat(e.errno()).isEqualTo(Posix.EACCES))
                    .hasMessageContaining("EACCES (Permission denied)");
        } finally {
            closeAll(stdin.readFd(), stdin.writeFd());
        }
    }

    @Test
    void requestsThatCannotBeSpawnedFaithfullyAreRefused() {
        Path sh = Path.of("/bin/sh");
        assertThatThrownBy(() -> Spawn.Request.of(sh, List.of(), ENV, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("argv");
        assertThatThrownBy(() -> Spawn.Request.of(sh, List.of("sh", "a\0b"), ENV, 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> Spawn.Request.of(sh, List.of("sh"), env("A=B", "x"), 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> Spawn.Request.of(sh, List.of("sh"), env("", "x"), 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> Spawn.Request.of(sh, List.of("sh"), env("A", "x\0y"), 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> Spawn.Request.of(sh, List.of("sh"), ENV, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stdinFd");
        assertThatThrownBy(() -> Spawn.Request.of(sh, List.of("sh"), ENV, 5).withStdout(1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stdoutFd");
    }

    static long bit(int signal) {
        return 1L << (signal - 1);
    }

    static String readToEnd(int fd) throws IOException {
        FileDescriptor in = new FileDescriptor(fd);
        ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        StringBuilder text = new StringBuilder();
        int n;
        while ((n = in.read(buffer, 0, buffer.capacity())) > 0) {
            byte[] bytes = new byte[n];
            buffer.get(0, bytes);
            text.append(new String(bytes, StandardCharsets.UTF_8));
        }
        return text.toString();
    }

    static void closeAll(int... fds) throws ErrnoException {
        for (int fd : fds) {
            Posix.close(fd);
        }
    }
}
