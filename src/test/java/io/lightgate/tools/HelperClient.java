package io.lightgate.tools;

import io.lightgate.modules.fastcgi.EncodedParams;
import io.lightgate.modules.fastcgi.FastCgi;
import io.lightgate.modules.fastcgi.FastCgiDecoder;
import io.lightgate.modules.fastcgi.FastCgiEncoder;
import io.lightgate.modules.fastcgi.FastCgiEvent;
import io.lightgate.modules.scgi.EncodedHead;
import io.lightgate.modules.scgi.ScgiCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A raw SCGI / FastCGI client over a blocking socket (unix or TCP), as lighttpd's mod_scgi/mod_fastcgi talk. */
final class HelperClient implements AutoCloseable {
    private final SocketChannel channel;

    HelperClient(SocketAddress address) throws IOException {
        channel = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        channel.connect(address);
    }

    static SequencedMap<String, String> env(String script, String... pairs) {
        SequencedMap<String, String> env = new LinkedHashMap<>();
        env.put("CONTENT_LENGTH", "0");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        env.put("SCRIPT_FILENAME", script);
        env.put("REQUEST_METHOD", env.getOrDefault("REQUEST_METHOD", "GET"));
        env.put("SCGI", "1");
        return env;
    }

    void send(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(ByteBuf buf) throws IOException {
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), bytes);
            send(bytes);
        } finally {
            buf.release();
        }
    }

    void scgiHead(SequencedMap<String, String> env) throws IOException {
        switch (ScgiCodec.encodeHead(env, ByteBufAllocator.DEFAULT)) {
            case EncodedHead.Encoded encoded -> send(encoded.head());
            case EncodedHead.Refused refused -> throw new IllegalArgumentException(refused.why());
        }
    }

    void fastCgiBegin(int id, int role, boolean keepConn, SequencedMap<String, String> env) throws IOException {
        send(FastCgiEncoder.beginRequest(ByteBufAllocator.DEFAULT, id, role, keepConn));
        env.remove("SCGI");
        switch (FastCgiEncoder.params(ByteBufAllocator.DEFAULT, id, env)) {
            case EncodedParams.Encoded encoded -> send(encoded.records());
            case EncodedParams.Refused refused -> throw new IllegalArgumentException(refused.why());
        }
    }

    void fastCgiStdin(int id, String data) throws IOException {
        if (data.isEmpty()) {
            send(FastCgiEncoder.endOfStream(ByteBufAllocator.DEFAULT, FastCgi.STDIN, id));
        } else {
            send(FastCgiEncoder.stream(ByteBufAllocator.DEFAULT, FastCgi.STDIN, id,
                    Unpooled.copiedBuffer(data, StandardCharsets.UTF_8)));
        }
    }

    /** STDIN records carrying {@code data}, cut into records of the given content sizes (cycled), in one write. */
    void fastCgiStdin(int id, byte[] data, int[] recordSizes) throws IOException {
        ByteBuf records = Unpooled.buffer(data.length + data.length / 8 + 64);
        try {
            for (int at = 0, i = 0; at < data.length; i++) {
                int n = Math.min(recordSizes[i % recordSizes.length], data.length - at);
                ByteBuf record = FastCgiEncoder.stream(ByteBufAllocator.DEFAULT, FastCgi.STDIN, id,
                        Unpooled.wrappedBuffer(data, at, n));
                records.writeBytes(record);
                record.release();
                at += n;
            }
        } catch (RuntimeException e) {
            records.release();
            throw e;
        }
        send(records);
    }

    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    /** Reads until EOF (or the time limit, which fails). */
    String readAll(long seconds) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            try {
                while (channel.read(buffer) >= 0) {
                    all.write(buffer.array(), 0, buffer.position());
                    buffer.clear();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return all.toString(StandardCharsets.ISO_8859_1);
        }).get(seconds, TimeUnit.SECONDS);
    }

    /** Reads until {@code text} has arrived (not EOF). */
    String readUntil(String text, long seconds) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            StringBuilder got = new StringBuilder();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            try {
                while (!got.toString().contains(text)) {
                    if (channel.read(buffer) < 0) {
                        break;
                    }
                    got.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1));
                    buffer.clear();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return got.toString();
        }).get(seconds, TimeUnit.SECONDS);
    }

    /** Reads FastCGI records until an END_REQUEST has arrived (not EOF). */
    FastCgiAnswer readUntilEndRequest(long seconds) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            StringBuilder got = new StringBuilder();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            try {
                while (true) {
                    FastCgiAnswer answer = decode(got.toString());
                    if (!answer.ends().isEmpty() || channel.read(buffer) < 0) {
                        return answer;
                    }
                    got.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1));
                    buffer.clear();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(seconds, TimeUnit.SECONDS);
    }

    /** What a FastCGI answer held: STDOUT and STDERR text, END_REQUEST statuses, other records. */
    record FastCgiAnswer(String stdout, String stderr, List<FastCgiEvent.EndRequest> ends, List<String> other) { }

    static FastCgiAnswer decode(String wire) {
        FastCgiDecoder decoder = new FastCgiDecoder(ByteBufAllocator.DEFAULT);
        ByteBuf in = Unpooled.copiedBuffer(wire, StandardCharsets.ISO_8859_1);
        StringBuilder stdout = new StringBuilder();
        StringBuilder stderr = new StringBuilder();
        List<FastCgiEvent.EndRequest> ends = new ArrayList<>();
        List<String> other = new ArrayList<>();
        try {
            decoder.decode(in, event -> {
                switch (event) {
                    case FastCgiEvent.Stdout out -> stdout.append(out.data().toString(StandardCharsets.ISO_8859_1));
                    case FastCgiEvent.Stderr err -> stderr.append(err.data().toString(StandardCharsets.ISO_8859_1));
                    case FastCgiEvent.EndRequest end -> ends.add(end);
                    default -> other.add(event.toString());
                }
                event.release();
            });
            if (in.isReadable()) {
                other.add("trailing " + in.readableBytes() + " bytes");
            }
        } finally {
            in.release();
            decoder.release();
        }
        return new FastCgiAnswer(stdout.toString(), stderr.toString(), ends, other);
    }

    static InetSocketAddress tcp(java.net.SocketAddress address) {
        return (InetSocketAddress) address;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
