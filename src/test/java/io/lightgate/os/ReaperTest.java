package io.lightgate.os;

import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Children reaped through their pidfds on a Netty epoll loop: statuses, threads, no zombies, no fds left. */
class ReaperTest {
    private static final Path SH = Path.of("/bin/sh");
    private static final Map<String, String> ENV = SpawnTest.env("PATH", "/usr/bin:/bin");

    private static MultiThreadIoEventLoopGroup group;
    private static IoEventLoop loop;
    private static Pipe stdin;

    @BeforeAll
    static void start() throws ErrnoException {
        assumeTrue(Proc.isLinux() && Epoll.isAvailable(), "Linux with the epoll transport only");
        group = new MultiThreadIoEventLoopGroup(1, EventLoops.epoll());
        loop = group.next();
        stdin = Pipe.open();
    }

    @AfterAll
    static void stop() throws ErrnoException {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            SpawnTest.closeAll(stdin.readFd(), stdin.writeFd());
        }
    }

    private static SpawnedProcess sh(String script) throws ErrnoException {
        return Spawn.spawn(Spawn.Request.of(SH, List.of("sh", "-c", script), ENV, stdin.readFd()));
    }

    @Test
    void twentyChildrenAreReapedOnTheLoopThreadWithTheirExitCodes() throws Exception {
        List<SpawnedProcess> children = new ArrayList<>();
        List<Future<ExitStatus>> exits = new ArrayList<>();
        ConcurrentLinkedQueue<Boolean> completedOnLoop = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < 20; i++) {
            SpawnedProcess child = sh("exit " + i);
            children.add(child);
            Future<ExitStatus> exit = child.watch(loop);
            exit.addListener(done -> completedOnLoop.add(loop.inEventLoop()));
            exits.add(exit);
        }
        for (int i = 0; i < 20; i++) {
            assertThat(exits.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Exited(i));
            assertThat(children.get(i).isReaped()).isTrue();
        }
        // Listeners of an already completed future may run on this thread; wait for all 20 notifications.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (completedOnLoop.size() < 20 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(completedOnLoop).hasSize(20);
        for (SpawnedProcess child : children) {
            assertThat(Proc.state(child.pid())).as("pid %d", child.pid()).isNotEqualTo(Optional.of("Z"));
        }
        assertThat(Proc.openPidfds()).isZero();
    }

    @Test
    void killedChildReportsItsSignalAndIsNotSignalledAfterReaping() throws Exception {
        SpawnedProcess child = Spawn.spawn(Spawn.Request.of(Path.of("/bin/sleep"), List.of("sleep", "30"), ENV,
                stdin.readFd()));
        Future<ExitStatus> exit = child.watch(loop);
        assertThat(exit.await(200, TimeUnit.MILLISECONDS)).as("sleep 30 is still running").isFalse();
        assertThat(child.signal(Posix.SIGKILL)).isTrue();
        assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Signaled(Posix.SIGKILL, false));
        assertThat(child.signal(Posix.SIGKILL)).as("the pid may belong to someone else now").isFalse();
        assertThatThrownBy(() -> child.watch(loop)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void childThatExitedBeforeWatchingIsStillReaped() throws Exception {
        SpawnedProcess child = sh("exit 7");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!Proc.state(child.pid()).equals(Optional.of("Z")) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(Proc.state(child.pid())).isEqualTo(Optional.of("Z"));
        assertThat(child.watch(loop).get(10, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Exited(7));
        assertThat(Proc.state(child.pid())).isEmpty();
    }

    @Test
    void groupSignalReachesTheChildrenOfTheChild() throws Exception {
        Pipe output = Pipe.open();
        SpawnedProcess shell;
        int grandchild;
        try {
            shell = Spawn.spawn(Spawn.Request.of(SH, List.of("sh", "-c", "sleep 30 & echo $!; wait"), ENV,
                    stdin.readFd()).withStdout(output.writeFd()));
            SpawnTest.closeAll(output.writeFd());
            grandchild = Integer.parseInt(readLine(output.readFd()));
        } finally {
            SpawnTest.closeAll(output.readFd());
        }
        assertThat(Proc.processGroup(grandchild)).isEqualTo(shell.pid());
        Future<ExitStatus> exit = shell.watch(loop);

        shell.signalGroup(Posix.SIGTERM);

        assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Signaled(Posix.SIGTERM, false));
        // The orphaned sleep is reparented; whether its new parent reaps it is not ours to decide, so "dead"
        // means gone or a zombie.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (isAlive(grandchild) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(isAlive(grandchild)).as("sleep %d got the group's SIGTERM", grandchild).isFalse();
    }

    private static boolean isAlive(int pid) throws Exception {
        Optional<String> state = Proc.state(pid);
        return state.isPresent() && !state.get().equals("Z") && !state.get().equals("X");
    }

    private static String readLine(int fd) throws Exception {
        io.netty.channel.unix.FileDescriptor in = new io.netty.channel.unix.FileDescriptor(fd);
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(1);
        StringBuilder line = new StringBuilder();
        while (in.read(buffer, 0, 1) == 1 && buffer.get(0) != '\n') {
            line.append((char) buffer.get(0));
        }
        return line.toString();
    }

    @Test
    void loopShutdownKillsAndReapsARunningChildAndClosesThePidfd() throws Exception {
        MultiThreadIoEventLoopGroup doomed = new MultiThreadIoEventLoopGroup(1, EventLoops.epoll());
        SpawnedProcess child = Spawn.spawn(Spawn.Request.of(Path.of("/bin/sleep"), List.of("sleep", "30"), ENV,
                stdin.readFd()));
        Future<ExitStatus> exit = child.watch(doomed.next());
        assertThat(exit.await(100, TimeUnit.MILLISECONDS)).isFalse();
        doomed.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        // nobody could reap it after the loop is gone: it is killed and collected, not left a zombie
        assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Signaled(Posix.SIGKILL, false));
        assertThat(child.isReaped()).isTrue();
        assertThat(Files.exists(Path.of("/proc/" + child.pid()))).as("pid %d reaped", child.pid()).isFalse();
        assertThat(Proc.openPidfds()).isZero();
    }

    @Test
    void aChildWatchedOnceItsLoopIsStoppingIsKilledAndReapedAtOnce() throws Exception {
        MultiThreadIoEventLoopGroup doomed = new MultiThreadIoEventLoopGroup(1, EventLoops.epoll());
        IoEventLoop stopping = (IoEventLoop) doomed.next();
        SpawnedProcess child = Spawn.spawn(Spawn.Request.of(Path.of("/bin/sleep"), List.of("sleep", "30"), ENV,
                stdin.readFd()));
        // on the loop itself, after its shutdown began: as a CGI spawned by the last request of a stopping server
        Future<Future<ExitStatus>> watched = stopping.submit(() -> {
            doomed.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            assertThat(stopping.isShuttingDown()).isTrue();
            return child.watch(stopping);
        });
        Future<ExitStatus> exit = watched.get(10, TimeUnit.SECONDS);
        doomed.terminationFuture().syncUninterruptibly();
        assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Signaled(Posix.SIGKILL, false));
        assertThat(child.isReaped()).isTrue();
        assertThat(Files.exists(Path.of("/proc/" + child.pid()))).as("pid %d reaped", child.pid()).isFalse();
        assertThat(Proc.openPidfds()).isZero();
    }

    @Test
    void watchingNeedsAnEpollLoopAndARefusalLeavesTheChildWatchable() throws Exception {
        MultiThreadIoEventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        SpawnedProcess child = sh("exit 0");
        try {
            assertThatThrownBy(() -> child.watch(nio.next()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epoll");
        } finally {
            nio.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertThat(child.watch(loop).get(10, TimeUnit.SECONDS)).isEqualTo(new ExitStatus.Exited(0));
    }

    @Test
    void waitStatusesDecodeLikeTheCMacros() {
        assertThat(ExitStatus.fromWaitStatus(0x0000)).isEqualTo(new ExitStatus.Exited(0));
        assertThat(ExitStatus.fromWaitStatus(0xff00)).isEqualTo(new ExitStatus.Exited(255));
        assertThat(ExitStatus.fromWaitStatus(0x0009)).isEqualTo(new ExitStatus.Signaled(9, false));
        assertThat(ExitStatus.fromWaitStatus(0x008b)).isEqualTo(new ExitStatus.Signaled(11, true));
        assertThatThrownBy(() -> ExitStatus.fromWaitStatus(0x137f)).isInstanceOf(IllegalArgumentException.class);
    }
}
