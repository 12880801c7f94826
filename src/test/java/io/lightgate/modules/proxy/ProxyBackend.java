package io.lightgate.modules.proxy;

import io.lightgate.testing.Acceptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP backend for mod_proxy tests: a TCP listener whose every connection runs a script on a virtual
 * thread. Records every request head it read and counts connections; scripts write scripted bytes.
 */
final class ProxyBackend implements AutoCloseable {

    @FunctionalInterface
    interface Script {
        void run(Conn conn) throws IOException, InterruptedException;
    }

    /** One accepted connection. */
    final class Conn {
        final SocketChannel channel;
        final InputStream in;
        final OutputStream out;

        Conn(SocketChannel channel) {
            this.channel = channel;
            this.in = Channels.newInputStream(channel);
            this.out = Channels.newOutputStream(channel);
        }

        /** Reads one request head (through the empty line), records it and returns it; null at EOF. */
        String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int state = 0;
            while (state < 4) {
                int c = in.read();
                if (c < 0) {
                    return null;
                }
                head.write(c);
                state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
                        ? state + 1 : 0;
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            heads.add(text);
            return text;
        }

        byte[] readBytes(int n) throws IOException {
            return in.readNBytes(n);
        }

        void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Closes with RST. */
        void reset() throws IOException {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            channel.close();
        }
    }

    private final ServerSocketChannel server;
    final AtomicInteger connections = new AtomicInteger();
    final List<String> heads = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();

    ProxyBackend(Script script) throws IOException {
        this(tcpListener(), script);
    }

    /** A backend on a unix socket at {@code file}. */
    static ProxyBackend unix(java.nio.file.Path file, Script script) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        s.bind(java.net.UnixDomainSocketAddress.of(file));
        return new ProxyBackend(s, script);
    }

    private static ServerSocketChannel tcpListener() throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress("127.0.0.1", 0));
        return s;
    }

    private ProxyBackend(ServerSocketChannel server, Script script) {
        this.server = server;
        Acceptor.serveEach(server, connections, c -> {
            try (c) {
                script.run(new Conn(c));
                events.add("done");
            } catch (IOException | InterruptedException e) {
                events.add("error: " + e);
            }
        });
    }

    int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
