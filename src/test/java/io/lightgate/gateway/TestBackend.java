package io.lightgate.gateway;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real backend for the tests, on TCP 127.0.0.1 or a unix socket, one thread per connection:
 * {@link Mode#ECHO} echoes every byte and half-closes after the peer does (after sending an optional greeting),
 * {@link Mode#CLOSE} accepts and closes at once, {@link Mode#HOLD} reads nothing until {@link #release()}
 * and then counts what it reads, {@link Mode#HALF_CLOSE} sends the greeting, half-closes and counts what it reads,
 * {@link Mode#FLOOD} sends {@link #floodBytes} bytes of {@link #pattern}, half-closes and counts what it reads.
 */
final class TestBackend implements AutoCloseable {
    enum Mode { ECHO, CLOSE, HOLD, HALF_CLOSE, FLOOD }

    /** What FLOOD sends: byte i of the stream is {@code pattern(i)}. */
    static byte pattern(long i) {
        return (byte) (i * 31 + (i >>> 11));
    }

    long floodBytes = 32L << 20;
    final AtomicLong bytesWritten = new AtomicLong();

    private final ServerSocketChannel server;
    private final Mode mode;
    private final String greeting;
    private final Path socketPath;
    private final List<SocketChannel> connections = new CopyOnWriteArrayList<>();
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicLong bytesRead = new AtomicLong();
    /** Connections whose peer half-closed (EOF seen). */
    final AtomicInteger eofs = new AtomicInteger();
    private final CountDownLatch released = new CountDownLatch(1);
    private final Thread acceptor;

    private TestBackend(ServerSocketChannel server, Mode mode, String greeting, Path socketPath) {
        this.server = server;
        this.mode = mode;
        this.greeting = greeting;
        this.socketPath = socketPath;
        this.acceptor = Thread.ofVirtual().start(this::acceptLoop);
    }

    static TestBackend tcp(Mode mode, String greeting) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        return new TestBackend(s, mode, greeting, null);
    }

    /** A TCP backend on a given port (to bring a refused port back to life). */
    static TestBackend tcpOn(int port, Mode mode, String greeting) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
        s.bind(new InetSocketAddress("127.0.0.1", port));
        return new TestBackend(s, mode, greeting, null);
    }

    static TestBackend unix(Path path, Mode mode, String greeting) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(path));
        return new TestBackend(s, mode, greeting, path);
    }

    int port() {
        try {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Lets HOLD connections start reading. */
    void release() {
        released.countDown();
    }

    /** Resets every open connection (RST for TCP): a backend killed mid-stream. */
    void killConnections() throws IOException {
        for (SocketChannel c : connections) {
            if (c.getLocalAddress() instanceof InetSocketAddress) {
                c.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
            }
            c.close();
        }
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                accepted.incrementAndGet();
                connections.add(c);
                Thread.ofVirtual().start(() -> serve(c));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            if (mode == Mode.CLOSE) {
                return;
            }
            if (greeting != null) {
                writeFully(c, ByteBuffer.wrap(greeting.getBytes(StandardCharsets.UTF_8)));
            }
            if (mode == Mode.HOLD) {
                released.await();
            }
            if (mode == Mode.FLOOD) {
                ByteBuffer out = ByteBuffer.allocate(16 * 1024);
                for (long sent = 0; sent < floodBytes; ) {
                    out.clear();
                    int n = (int) Math.min(out.capacity(), floodBytes - sent);
                    for (int i = 0; i < n; i++) {
                        out.put(pattern(sent + i));
                    }
                    out.flip();
                    writeFully(c, out);
                    sent += n;
                    bytesWritten.set(sent);
                }
            }
            if (mode == Mode.HALF_CLOSE || mode == Mode.FLOOD) {
                c.shutdownOutput();
            }
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            while (true) {
                buf.clear();
                int n = c.read(buf);
                if (n < 0) {
                    eofs.incrementAndGet();
                    if (mode == Mode.ECHO) {
                        c.shutdownOutput();
                        // stay until the peer closes, so a half-closed tunnel can be observed
                        while (c.read(buf.clear()) >= 0) { }
                    }
                    return;
                }
                bytesRead.addAndGet(n);
                if (mode == Mode.ECHO) {
                    buf.flip();
                    writeFully(c, buf);
                }
            }
        } catch (IOException | InterruptedException e) {
            // the peer went away: nothing to do in a test backend
        } finally {
            connections.remove(c);
        }
    }

    private static void writeFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            c.write(b);
        }
    }

    int openConnections() {
        return connections.size();
    }

    @Override
    public void close() throws IOException {
        server.close();
        released.countDown();
        for (SocketChannel c : connections) {
            c.close();
        }
        if (socketPath != null) {
            Files.deleteIfExists(socketPath);
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
