package io.lightgate.os;

import io.netty.channel.IoEventLoop;
import io.netty.util.concurrent.Future;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A child started by {@link Spawn}: its pid (also its process group id) and a pidfd for reaping. Call
 * {@link #watch} once so the child is reaped on an epoll event loop; until then it stays a zombie after exit.
 */
public final class SpawnedProcess {
    private final int pid;
    private final int pidfd;
    private final Path program;
    private final AtomicBoolean watched = new AtomicBoolean();
    private volatile boolean reaped;

    SpawnedProcess(int pid, int pidfd, Path program) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.program = program;
    }

    public int pid() {
        return pid;
    }

    /** The pidfd (close-on-exec); owned by this object and closed once the child is reaped. */
    public int pidfd() {
        return pidfd;
    }

    public Path program() {
        return program;
    }

    /** True once waitpid has collected the exit status (the pid may then belong to someone else). */
    public boolean isReaped() {
        return reaped;
    }

    /**
     * Registers the pidfd on {@code loop} (an epoll loop) and reaps the child there when it exits. The future
     * completes on the loop thread with the exit status, and fails if the loop shuts down first. Only once.
     */
    public Future<ExitStatus> watch(IoEventLoop loop) {
        if (!loop.isCompatible(PidfdWatch.class)) {
            throw new IllegalArgumentException("reaping needs an epoll event loop, not " + loop);
        }
        if (!watched.compareAndSet(false, true)) {
            throw new IllegalStateException("pid " + pid + " is already watched");
        }
        return PidfdWatch.start(this, loop);
    }

    /**
     * Sends {@code signal} to the child; false when it was already reaped (its pid may have been reused).
     * Signal on the watching loop to rule out that race entirely.
     */
    public boolean signal(int signal) throws ErrnoException {
        if (reaped) {
            return false;
        }
        Posix.kill(pid, signal);
        return true;
    }

    /**
     * Sends {@code signal} to the child's whole process group (the child and whatever it started that did not
     * leave the group), as lighttpd does for bin-path backends on shutdown.
     */
    public void signalGroup(int signal) throws ErrnoException {
        Posix.kill(-pid, signal);
    }

    void markReaped() {
        reaped = true;
    }

    @Override
    public String toString() {
        return "SpawnedProcess[pid=" + pid + ", " + program + (reaped ? ", reaped]" : "]");
    }
}
