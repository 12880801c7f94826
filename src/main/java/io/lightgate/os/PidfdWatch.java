package io.lightgate.os;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;

import java.io.IOException;

/**
 * A child's pidfd registered on an epoll loop: readable once the child has exited, then waitpid(pid, WNOHANG)
 * collects the status without blocking, the registration is cancelled and the pidfd closed. Runs on the loop.
 */
final class PidfdWatch implements EpollIoHandle {
    private final SpawnedProcess process;
    private final FileDescriptor pidfd;
    private final Promise<ExitStatus> exit;
    private IoRegistration registration;

    private PidfdWatch(SpawnedProcess process, Promise<ExitStatus> exit) {
        this.process = process;
        this.pidfd = new FileDescriptor(process.pidfd());
        this.exit = exit;
    }

    static Future<ExitStatus> start(SpawnedProcess process, IoEventLoop loop) {
        if (loop.isShuttingDown()) {
            // The loop is going away (only a stopping server or helper shuts its loops down): a registration now
            // might come after the loop closed its handles, leaving the child unreaped and the pidfd open (seen
            // once in CI). Collect it here instead, and report on the caller's thread, as the loop may not run
            // listeners any more.
            PidfdWatch watch = new PidfdWatch(process, ImmediateEventExecutor.INSTANCE.newPromise());
            watch.close();
            return watch.exit;
        }
        PidfdWatch watch = new PidfdWatch(process, loop.newPromise());
        loop.register(watch).addListener(registered -> {
            if (registered.isSuccess()) {
                watch.registered((IoRegistration) registered.getNow(), loop);
            } else {
                watch.collectUnwatched(registered.cause());
            }
        });
        return watch.exit;
    }

    private void registered(IoRegistration registration, IoEventLoop loop) {
        this.registration = registration;
        if (loop.isShuttingDown()) {
            close(); // registered while the loop stops: it may not close this handle any more
            return;
        }
        try {
            // Level-triggered: a child that exited before this point is reported at once.
            registration.submit(EpollIoOps.EPOLLIN);
        } catch (Exception e) {
            fail(e);
        }
    }

    @Override
    public FileDescriptor fd() {
        return pidfd;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        int status;
        try {
            status = Posix.waitpid(process.pid(), true);
        } catch (ErrnoException e) {
            fail(e);
            return;
        }
        if (status == -1) {
            return; // not exited yet: a spurious wake-up; stay registered
        }
        process.markReaped();
        release();
        exit.trySuccess(ExitStatus.fromWaitStatus(status));
    }

    /**
     * Called by Netty when the loop shuts down with the child still registered. Nobody could reap it later (in
     * a JVM that lives on, e.g. a stopped server in tests, it would stay a zombie), so it is collected now:
     * at once if it has exited, else after SIGKILL to its group (a short blocking wait during shutdown).
     */
    @Override
    public void close() {
        if (exit.isDone()) {
            return;
        }
        try {
            int status = Posix.waitpid(process.pid(), true);
            if (status == -1) {
                process.signalGroup(Posix.SIGKILL);
                status = Posix.waitpid(process.pid(), false);
            }
            process.markReaped();
            release();
            exit.trySuccess(ExitStatus.fromWaitStatus(status));
        } catch (ErrnoException e) {
            fail(e);
        }
    }

    private void fail(Throwable cause) {
        release();
        exit.tryFailure(cause);
    }

    /** The registration failed: nobody would ever reap the child, so it is collected now (as by {@link #close}). */
    private void collectUnwatched(Throwable cause) {
        close();
        exit.tryFailure(cause); // only when close() could not collect it
    }

    private void release() {
        if (registration != null) {
            try {
                registration.cancel(); // removes the fd from epoll before it is closed
            } catch (Exception e) {
                exit.tryFailure(e);
            }
        }
        try {
            pidfd.close();
        } catch (IOException e) {
            exit.tryFailure(e);
        }
    }
}
