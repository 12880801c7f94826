package io.lightgate.modules.cgi;

import io.lightgate.os.ErrnoException;
import io.lightgate.os.Posix;
import io.lightgate.os.Spawn;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * {@code server.breakagelog}: the file CGI programs' stderr goes to, opened once (append) and reopened on SIGHUP.
 * Spawns use the descriptor under a read lock so that a reopen never closes it mid-spawn. Without the key,
 * programs inherit lightgate's stderr.
 */
final class BreakageLog implements AutoCloseable {
    private final Path file;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private int fd;

    private BreakageLog(Path file, int fd) {
        this.file = file;
        this.fd = fd;
    }

    /** No file: programs inherit our stderr. */
    static BreakageLog inherit() {
        return new BreakageLog(null, Spawn.INHERIT);
    }

    static BreakageLog open(Path file) throws ErrnoException {
        return new BreakageLog(file, Posix.openAppend(file));
    }

    Path file() {
        return file;
    }

    /** Runs {@code spawn} with the descriptor for the child's stderr, held open meanwhile. */
    <T, E extends Exception> T withFd(FdUser<T, E> spawn) throws E {
        lock.readLock().lock();
        try {
            return spawn.use(fd);
        } finally {
            lock.readLock().unlock();
        }
    }

    @FunctionalInterface
    interface FdUser<T, E extends Exception> {
        T use(int fd) throws E;
    }

    /** Reopens the file (after log rotation); keeps the old one when that fails. */
    void reopen() throws ErrnoException {
        if (file == null) {
            return;
        }
        int next = Posix.openAppend(file);
        lock.writeLock().lock();
        try {
            int old = fd;
            fd = next;
            Posix.close(old);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void close() {
        if (file == null) {
            return;
        }
        lock.writeLock().lock();
        try {
            if (fd >= 0) {
                Posix.close(fd);
                fd = -1;
            }
        } catch (ErrnoException e) {
            // Linux releases the descriptor even when close reports an error
        } finally {
            lock.writeLock().unlock();
        }
    }
}
