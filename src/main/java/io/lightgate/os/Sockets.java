package io.lightgate.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Checks on backend addresses before a child is spawned for them (what lighttpd does in gw_spawn_connection). */
public final class Sockets {
    private Sockets() { }

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    /** What a connect() to an address found. */
    public enum Probe {
        /** Something accepted (or queued) the connection: a backend is running there. */
        LISTENING,
        /** ECONNREFUSED: nobody listens (for a unix path: a stale socket file, or not a socket at all). */
        REFUSED,
        /** ENOENT: the unix socket path does not exist. */
        ABSENT
    }

    /**
     * Connects to {@code address} once and closes again. Unix sockets are probed without blocking; a TCP probe
     * blocks until the kernel answers, so call it off the event loops (at spawn time, as lighttpd does).
     * Other errors (EACCES, ENETUNREACH, ...) are thrown.
     */
    public static Probe probe(SocketAddress address) throws IOException {
        int family = SocketAddresses.family(address);
        // A full unix listen queue makes a blocking connect wait; non-blocking it says EAGAIN: someone listens.
        int fd = Posix.streamSocket(family, family == Posix.AF_UNIX ? Posix.SOCK_NONBLOCK : 0);
        try (Arena arena = Arena.ofConfined()) {
            int errno = Posix.connect(fd, SocketAddresses.encode(address, arena));
            return switch (errno) {
                case 0, Posix.EAGAIN -> Probe.LISTENING;
                case Posix.ECONNREFUSED -> Probe.REFUSED;
                case Posix.ENOENT -> Probe.ABSENT;
                default -> throw new ErrnoException("connect(" + SocketAddresses.show(address) + ")", errno);
            };
        } finally {
            Posix.close(fd);
        }
    }

    /**
     * Makes room for binding a unix socket at {@code path}: a socket file nobody listens on is deleted (returns
     * true); a missing path or a file that is not a socket is left alone (returns false, bind will say why);
     * a socket somebody listens on is left alone and reported as EADDRINUSE.
     */
    public static boolean removeStaleUnixSocket(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        return switch (probe(UnixDomainSocketAddress.of(path))) {
            case LISTENING -> throw new ErrnoException("bind(" + path + ")", Posix.EADDRINUSE,
                    "a process is listening on this socket; it was left alone");
            case ABSENT -> false;
            case REFUSED -> isSocket(path) && deleteIfPresent(path);
        };
    }

    private static boolean isSocket(Path path) throws IOException {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static boolean deleteIfPresent(Path path) throws IOException {
        return Files.deleteIfExists(path);
    }

    /**
     * The address {@code fd} is bound to (getsockname): a {@link java.net.UnixDomainSocketAddress} or an
     * {@link java.net.InetSocketAddress}; how a program tells which kind of listening socket it got as fd 0.
     * Fails with ENOTSOCK when {@code fd} is no socket.
     */
    public static java.net.SocketAddress localAddress(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = storage(arena);
            int length = Posix.getsockname(fd, address);
            return SocketAddresses.decode(address, length);
        }
    }

    static MemorySegment storage(Arena arena) {
        return arena.allocate(SocketAddresses.SOCKADDR_STORAGE_SIZE, 8);
    }
}
