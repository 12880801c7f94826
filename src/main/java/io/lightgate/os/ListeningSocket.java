package io.lightgate.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A blocking, close-on-exec listening socket made for a child process, which gets it as fd 0 (the FastCGI
 * convention lighttpd uses for every bin-path backend). The parent closes its copy once the child runs;
 * closing does not remove a unix socket file (lighttpd unlinks it at shutdown).
 */
public final class ListeningSocket implements AutoCloseable {
    private final int fd;
    private final SocketAddress localAddress;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ListeningSocket(int fd, SocketAddress localAddress) {
        this.fd = fd;
        this.localAddress = localAddress;
    }

    /**
     * socket + (SO_REUSEADDR for TCP) + bind + listen. {@code address} is a {@link UnixDomainSocketAddress} or
     * a resolved {@link InetSocketAddress} (port 0 picks a free port; see {@link #localAddress()}). A stale unix
     * socket file is replaced first; a live one is left alone and reported (see
     * {@link Sockets#removeStaleUnixSocket}).
     */
    public static ListeningSocket open(SocketAddress address, int backlog) throws IOException {
        boolean unix = address instanceof UnixDomainSocketAddress;
        if (unix) {
            Sockets.removeStaleUnixSocket(((UnixDomainSocketAddress) address).getPath());
        }
        String shown = SocketAddresses.show(address);
        int family = SocketAddresses.family(address);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = SocketAddresses.encode(address, arena);
            int fd = Posix.streamSocket(family, 0);
            boolean bound = false;
            try {
                if (!unix) {
                    Posix.setReuseAddress(fd);
                }
                Posix.bind(fd, sockaddr, shown);
                bound = true;
                Posix.listen(fd, backlog, shown);
                SocketAddress local = unix ? address : localInetAddress(fd, arena);
                return new ListeningSocket(fd, local);
            } catch (IOException | RuntimeException e) {
                closeAfterFailure(fd, e);
                if (unix && bound) {
                    // We created the file; a failed listen must not leave it behind.
                    Files.deleteIfExists(((UnixDomainSocketAddress) address).getPath());
                }
                throw e;
            }
        }
    }

    private static SocketAddress localInetAddress(int fd, Arena arena) throws IOException {
        MemorySegment storage = Sockets.storage(arena);
        int length = Posix.getsockname(fd, storage);
        return SocketAddresses.decode(storage, length);
    }

    private static void closeAfterFailure(int fd, Exception primary) {
        try {
            Posix.close(fd);
        } catch (ErrnoException e) {
            primary.addSuppressed(e);
        }
    }

    /** The descriptor to hand to {@link Spawn.Request} as the child's fd 0. */
    public int fd() {
        return fd;
    }

    /** The bound address: the unix path as given, or the TCP address with the port the kernel chose. */
    public SocketAddress localAddress() {
        return localAddress;
    }

    /** Closes the parent's copy (idempotent). */
    @Override
    public void close() throws ErrnoException {
        if (closed.compareAndSet(false, true)) {
            Posix.close(fd);
        }
    }

    @Override
    public String toString() {
        return "ListeningSocket[fd=" + fd + ", " + SocketAddresses.show(localAddress) + "]";
    }
}
