package io.lightgate.os;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.Future;
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
        PidfdWatch watch = new PidfdWatch(process, loop.newPromise());
        loop.register(watch).addListener(registered -> {
            if (registered.isSuccess()) {
                watch.registered((IoRegistration) registered.getNow());
            } else {
                watch.fail(registered.cause());
            }
        });
        return watch.exit;
    }

    private void registered(IoRegistration registration) {
        this.registration = registration;
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
