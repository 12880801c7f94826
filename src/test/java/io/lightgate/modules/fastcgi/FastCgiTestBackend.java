package io.lightgate.modules.fastcgi;

import io.lightgate.testing.Acceptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.SequencedMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real FastCGI application for tests: a TCP listener whose every connection has its BEGIN_REQUEST and PARAMS read
 * with lightgate's own {@link FastCgiDecoder} and then runs a script on a virtual thread; the script reads STDIN and
 * writes records with {@link FastCgiEncoder}. Records every request (role and params) it read.
 */
final class FastCgiTestBackend implements AutoCloseable {
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    @FunctionalInterface
    interface Script {
        void run(Conn conn) throws IOException, InterruptedException;
    }

    /** What a connection carried before the script ran. */
    record Begin(int id, int role, int flags, SequencedMap<String, String> params) { }

    /** One accepted connection whose BEGIN_REQUEST and PARAMS were read. */
    static final class Conn {
        final SocketChannel channel;
        final InputStream in;
        final OutputStream out;
        final Begin begin;
        private final FastCgiDecoder decoder = new FastCgiDecoder(ALLOC);
        private final ByteBuf cumulation = Unpooled.buffer();
        private final ArrayDeque<FastCgiEvent> events = new ArrayDeque<>();
        /** Every record type seen after the params, in order ("STDIN n", "STDIN end", ...). */
        final List<String> seen = new CopyOnWriteArrayList<>();
        private boolean stdinEnded;

        Conn(SocketChannel channel) throws IOException {
            this.channel = channel;
            this.in = Channels.newInputStream(channel);
            this.out = Channels.newOutputStream(channel);
            FastCgiEvent.BeginRequest b = (FastCgiEvent.BeginRequest) next();
            FastCgiEvent.Params p = (FastCgiEvent.Params) next();
            this.begin = new Begin(b.id(), b.role(), b.flags(), p.params());
        }

        SequencedMap<String, String> env() {
            return begin.params();
        }

        /** The next record event; null at EOF. */
        FastCgiEvent next() throws IOException {
            byte[] chunk = new byte[8192];
            while (events.isEmpty()) {
                int n = in.read(chunk);
                if (n < 0) {
                    return null;
                }
                cumulation.writeBytes(chunk, 0, n);
                // STDIN data is copied out: the slices would change under discardReadBytes
                decoder.decode(cumulation, e -> {
                    if (e instanceof FastCgiEvent.Stdin in) {
                        events.add(new FastCgiEvent.Stdin(in.id(), Unpooled.copiedBuffer(in.data())));
                        in.release();
                    } else {
                        events.add(e);
                    }
                });
                cumulation.discardReadBytes();
            }
            return events.poll();
        }

        /** STDIN content until the empty STDIN record (or EOF). */
        byte[] readStdin() throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] piece;
            while ((piece = readStdinChunk()) != null) {
                body.writeBytes(piece);
            }
            return body.toByteArray();
        }

        /** The content of the next STDIN record; null at the empty STDIN record or EOF. */
        byte[] readStdinChunk() throws IOException {
            if (stdinEnded) {
                return null;
            }
            while (true) {
                FastCgiEvent e = next();
                switch (e) {
                    case null -> {
                        seen.add("EOF");
                        stdinEnded = true;
                        return null;
                    }
                    case FastCgiEvent.Stdin s -> {
                        byte[] b = new byte[s.data().readableBytes()];
                        s.data().readBytes(b);
                        s.release();
                        seen.add("STDIN " + b.length);
                        return b;
                    }
                    case FastCgiEvent.StdinEnd end -> {
                        seen.add("STDIN end");
                        stdinEnded = true;
                        return null;
                    }
                    default -> {
                        seen.add(e.toString());
                        e.release();
                    }
                }
            }
        }

        void stdout(String text) throws IOException {
            records(FastCgi.STDOUT, text.getBytes(StandardCharsets.ISO_8859_1));
        }

        void stdout(byte[] data) throws IOException {
            records(FastCgi.STDOUT, data);
        }

        void stderr(String text) throws IOException {
            records(FastCgi.STDERR, text.getBytes(StandardCharsets.ISO_8859_1));
        }

        void endRequest(int appStatus) throws IOException {
            write(FastCgiEncoder.endRequest(ALLOC, begin.id(), appStatus, FastCgi.REQUEST_COMPLETE));
        }

        /** Bytes as they are (for records split anywhere). */
        void raw(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** The records {@code type} of {@code data} would be sent as. */
        byte[] encoded(int type, byte[] data) {
            ByteBuf b = FastCgiEncoder.stream(ALLOC, type, begin.id(), Unpooled.wrappedBuffer(data));
            try {
                byte[] out = new byte[b.readableBytes()];
                b.readBytes(out);
                return out;
            } finally {
                b.release();
            }
        }

        byte[] encodedEndRequest() {
            ByteBuf b = FastCgiEncoder.endRequest(ALLOC, begin.id(), 0, FastCgi.REQUEST_COMPLETE);
            try {
                byte[] out = new byte[b.readableBytes()];
                b.readBytes(out);
                return out;
            } finally {
                b.release();
            }
        }

        private void records(int type, byte[] data) throws IOException {
            write(FastCgiEncoder.stream(ALLOC, type, begin.id(), Unpooled.wrappedBuffer(data)));
        }

        private void write(ByteBuf b) throws IOException {
            try {
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                out.write(bytes);
                out.flush();
            } finally {
                b.release();
            }
        }

        void release() {
            decoder.release();
            cumulation.release();
            events.forEach(FastCgiEvent::release);
        }
    }

    private final ServerSocketChannel server;
    final AtomicInteger connections = new AtomicInteger();
    final List<Begin> requests = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();

    FastCgiTestBackend(Script script) throws IOException {
        this.server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        Acceptor.serveEach(server, connections, c -> serve(c, script));
    }

    private void serve(SocketChannel c, Script script) {
        try (c) {
            Conn conn;
            try {
                conn = new Conn(c);
            } catch (ClassCastException | NullPointerException e) {
                events.add("no BEGIN_REQUEST and PARAMS: " + e);
                return;
            }
            requests.add(conn.begin);
            try {
                script.run(conn);
                events.add("done");
            } finally {
                conn.release();
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
