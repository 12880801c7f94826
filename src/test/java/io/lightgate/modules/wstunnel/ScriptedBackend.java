package io.lightgate.modules.wstunnel;

import io.lightgate.testing.Acceptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real backend for mod_wstunnel tests: a TCP or unix-socket listener whose every connection runs a script
 * on a virtual thread (echo, write given bytes, close, reset...). Counts connections, records EOFs seen.
 */
final class ScriptedBackend implements AutoCloseable {

    /** What one backend connection does. */
    @FunctionalInterface
    interface Script {
        void run(Conn conn) throws IOException, InterruptedException;
    }

    /** One accepted connection, as streams. */
    record Conn(SocketChannel channel, InputStream in, OutputStream out) {
        /** Closes with RST (TCP): a backend that dies mid-stream. */
        void reset() throws IOException {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            channel.close();
        }
    }

    static final Script ECHO = c -> {
        byte[] buf = new byte[16384];
        int n;
        while ((n = c.in().read(buf)) > 0) {
            c.out().write(buf, 0, n);
        }
    };

    private final ServerSocketChannel server;
    private final Path socketFile;
    private final Thread acceptor;
    final AtomicInteger connections = new AtomicInteger();
    final List<String> events = new CopyOnWriteArrayList<>();

    private ScriptedBackend(ServerSocketChannel server, Path socketFile, Script script) {
        this.server = server;
        this.socketFile = socketFile;
        this.acceptor = Acceptor.serveEach(server, connections, c -> serve(c, script));
    }

    static ScriptedBackend tcp(Script script) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        return new ScriptedBackend(s, null, script);
    }

    static ScriptedBackend unix(Path file, Script script) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(file));
        return new ScriptedBackend(s, file, script);
    }

    int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    private void serve(SocketChannel c, Script script) {
        try (c) {
            script.run(new Conn(c, Channels.newInputStream(c), Channels.newOutputStream(c)));
            events.add("done");
        } catch (IOException | InterruptedException e) {
            events.add("error: " + e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        acceptor.interrupt();
        if (socketFile != null) {
            Files.deleteIfExists(socketFile);
        }
    }
}
