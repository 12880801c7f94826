package io.lightgate.gateway.cgi;

import io.lightgate.os.EventLoops;
import io.lightgate.os.ExitStatus;
import io.lightgate.os.Spawn;
import io.lightgate.testing.OpenFds;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One epoll loop for a test class plus the checks every CGI pipe test ends with: each started program reaped
 * (no zombie left) and this JVM back to the descriptors it had before the test.
 */
final class CgiProcesses implements AutoCloseable {
    static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin");

    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EventLoops.epoll());
    final IoEventLoop loop = (IoEventLoop) group.next();
    private final List<CgiProcess> started = new ArrayList<>();
    private long fdsBefore;

    CgiProcesses() {
        // start the loop thread (its epoll, event and timer fds) before the baseline is taken
        onLoop(() -> null);
    }

    void baseline() throws IOException {
        fdsBefore = OpenFds.count();
        started.clear();
    }

    CgiProcess start(CgiProcess.Limits limits, String... argv) throws CgiSpawnException {
        CgiProcess process = onLoopChecked(() -> CgiProcess.start(loop, ByteBufAllocator.DEFAULT,
                new CgiProcess.Command(Path.of(argv[0]), List.of(argv), ENV, null, Spawn.INHERIT), limits));
        started.add(process);
        return process;
    }

    CgiProcess sh(String script) throws CgiSpawnException {
        return start(CgiProcess.Limits.NONE, "/bin/sh", "-c", script);
    }

    CgiProcess cat() throws CgiSpawnException {
        return start(CgiProcess.Limits.NONE, "/bin/cat");
    }

    static CgiProcess.Limits limits(int readTimeout, int writeTimeout, Duration grace) {
        return new CgiProcess.Limits(readTimeout, writeTimeout, grace);
    }

    <T> T onLoop(Callable<T> task) {
        try {
            return onLoopChecked(task);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    <T, E extends Exception> T onLoopChecked(Callable<T> task) throws E {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw (E) cause;
            }
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    void run(Runnable task) {
        onLoop(() -> {
            task.run();
            return null;
        });
    }

    static ExitStatus exitOf(CgiProcess process) throws Exception {
        return process.exit().get(10, TimeUnit.SECONDS);
    }

    /** Ends what a failed test left running, then checks: all reaped, no zombies, no extra descriptors. */
    void assertCleanAfterTest() throws Exception {
        for (CgiProcess process : started) {
            if (!process.exit().isDone()) {
                process.terminate();
            }
        }
        for (CgiProcess process : started) {
            assertThat(process.exit().await(10, TimeUnit.SECONDS)).as("%s reaped", process).isTrue();
            assertThat(zombie(process.pid())).as("pid %d is a zombie", process.pid()).isFalse();
        }
        for (CgiProcess process : started) {
            run(() -> process.stream().close());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (OpenFds.count() != fdsBefore && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(OpenFds.count()).as("open fds: %s", OpenFds.describe()).isEqualTo(fdsBefore);
    }

    static boolean zombie(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException gone) {
            return false;
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
