package io.lightgate.modules.scgi;

import io.lightgate.testing.Acceptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SequencedMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real SCGI (or uwsgi) backend for tests: a TCP listener whose every connection has its request head decoded
 * with lightgate's own head decoders and then runs a script on a virtual thread. Records every head it read.
 */
final class ScgiTestBackend implements AutoCloseable {

    @FunctionalInterface
    interface Script {
        void run(Conn conn) throws IOException, InterruptedException;
    }

    /** One accepted connection whose head was read. */
    static final class Conn {
        final SocketChannel channel;
        final SequencedMap<String, String> env;
        final long contentLength;
        /** The body (and after a 101 the client's raw bytes): what followed the head. */
        final InputStream in;
        final OutputStream out;

        Conn(SocketChannel channel, GatewayHead head, InputStream in) {
            this.channel = channel;
            this.env = head.params();
            this.contentLength = head.contentLength();
            this.in = in;
            this.out = Channels.newOutputStream(channel);
        }

        byte[] readBody() throws IOException {
            return in.readNBytes((int) contentLength);
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
    private final boolean uwsgi;
    final AtomicInteger connections = new AtomicInteger();
    final List<SequencedMap<String, String>> heads = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();

    ScgiTestBackend(Script script) throws IOException {
        this(false, script);
    }

    ScgiTestBackend(boolean uwsgi, Script script) throws IOException {
        this.uwsgi = uwsgi;
        this.server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        Acceptor.serveEach(server, connections, c -> serve(c, script));
    }

    private void serve(SocketChannel c, Script script) {
        try (c) {
            InputStream raw = Channels.newInputStream(c);
            RequestHeadDecoder decoder = uwsgi ? new UwsgiHeadDecoder() : new ScgiHeadDecoder();
            ByteBuf cumulation = Unpooled.buffer();
            try {
                byte[] chunk = new byte[4096];
                while (true) {
                    HeadDecoding d = decoder.decode(cumulation);
                    if (d instanceof HeadDecoding.Decoded decoded) {
                        byte[] rest = new byte[cumulation.readableBytes()];
                        cumulation.readBytes(rest);
                        heads.add(decoded.head().params());
                        // SequenceInputStream closes a stream it finished: that must not close the socket
                        InputStream in = new SequenceInputStream(new ByteArrayInputStream(rest),
                                new java.io.FilterInputStream(raw) {
                                    @Override
                                    public void close() { }
                                });
                        script.run(new Conn(c, decoded.head(), in));
                        events.add("done");
                        return;
                    }
                    if (d instanceof HeadDecoding.Malformed bad) {
                        events.add("malformed: " + bad.why());
                        return;
                    }
                    int n = raw.read(chunk);
                    if (n < 0) {
                        events.add("eof before head");
                        return;
                    }
                    cumulation.writeBytes(chunk, 0, n);
                }
            } finally {
                cumulation.release();
            }
        } catch (IOException | InterruptedException e) {
            events.add("error: " + e);
        }
    }

    int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
