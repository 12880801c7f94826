package io.lightgate.websocket;

import io.lightgate.config.RequestConfig;
import io.lightgate.http.ByteStream;
import io.lightgate.server.ServerKeys;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The server end of an RFC 6455 connection, seen as a stream of payload bytes: wraps the client's raw stream
 * after the 101 and presents a {@link ByteStream} whose input is the data payload of the client's frames (as it
 * arrives: no reassembly, boundaries and text/binary lost, as mod_wstunnel) and whose output becomes data
 * frames of one type ({@link OutboundFramer}). It answers the protocol itself: violations close with the
 * decoder's code (1002/1007), PING gets PONG, a client CLOSE is echoed with its code, then the connection
 * closes. Ends: {@link #shutdownOutput()} (the other side ended) sends CLOSE 1001 and waits a short linger for
 * the client's CLOSE; {@link #closeAbnormally()} sends 1011; {@link #close()} 1000. Timers: a PING "ping" every
 * ping interval, and CLOSE 1001 one second before {@code server.max-read-idle} would drop a silent client.
 * Back-pressure passes straight through to the wrapped stream; memory held per connection is at most one
 * partial frame header or control frame (under 256 bytes) and three bytes of an open UTF-8 sequence.
 */
public final class WebSocketStream implements ByteStream {

    /**
     * How a stream behaves.
     *
     * @param binary              data frames to the client are BINARY (else TEXT, kept valid UTF-8)
     * @param pingIntervalSeconds a PING every so many seconds; 0 = never
     * @param maxReadIdleSeconds  the connection's {@code server.max-read-idle}; 0 = no idle close
     * @param closeLingerMillis   how long to wait for the client's CLOSE after ours (lighttpd drains 5 s)
     * @param onNotUtf8           told once when text-mode output had to go out as a binary frame
     */
    public record Options(boolean binary, int pingIntervalSeconds, int maxReadIdleSeconds, long closeLingerMillis,
                          Runnable onNotUtf8) {

        /** lighttpd's linger after it sent the first CLOSE. */
        public static final long DEFAULT_LINGER_MILLIS = 5000;

        /** Text frames, no ping, the request's {@code server.max-read-idle}, a 5 s linger. */
        public static Options of(RequestConfig config) {
            return new Options(false, 0, config.get(ServerKeys.MAX_READ_IDLE), DEFAULT_LINGER_MILLIS, () -> { });
        }

        public Options withBinary(boolean binary) {
            return new Options(binary, pingIntervalSeconds, maxReadIdleSeconds, closeLingerMillis, onNotUtf8);
        }

        public Options withPingInterval(int seconds) {
            return new Options(binary, seconds, maxReadIdleSeconds, closeLingerMillis, onNotUtf8);
        }

        public Options withOnNotUtf8(Runnable callback) {
            return new Options(binary, pingIntervalSeconds, maxReadIdleSeconds, closeLingerMillis, callback);
        }
    }

    /** The largest leftover the decoder can need before it progresses: a 14-byte header + 125-byte control frame. */
    private static final int MAX_LEFTOVER = 256;
    private static final byte[] PING_PAYLOAD = "ping".getBytes(StandardCharsets.US_ASCII);

    private final ByteStream client;
    private final Options options;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private final FrameDecoder decoder = new FrameDecoder(true);
    private final OutboundFramer framer;
    private final Inbound inbound = new Inbound();
    private final Frames frames = new Frames();

    private Listener listener;
    /** Bytes of an incomplete frame header or control frame, copied out of the last read. */
    private ByteBuf leftover;
    /** Client payload goes to the listener (false once we end the connection ourselves). */
    private boolean delivering = true;
    private boolean endOfInputSent;
    private boolean closeSent;
    private boolean closed;
    private boolean readable = true;
    private long lastReadNanos;
    private ScheduledFuture<?> pingTimer;
    private ScheduledFuture<?> idleTimer;
    private ScheduledFuture<?> lingerTimer;

    public WebSocketStream(ByteStream client, Options options) {
        this.client = client;
        this.options = options;
        this.framer = new OutboundFramer(alloc, !options.binary(), options.onNotUtf8());
    }

    @Override
    public EventLoop eventLoop() {
        return client.eventLoop();
    }

    @Override
    public void listen(Listener listener) {
        this.listener = listener;
        lastReadNanos = System.nanoTime();
        EventLoop loop = client.eventLoop();
        if (options.pingIntervalSeconds() > 0) {
            long every = options.pingIntervalSeconds();
            pingTimer = loop.scheduleAtFixedRate(this::ping, every, every, TimeUnit.SECONDS);
        }
        if (options.maxReadIdleSeconds() > 0) {
            idleTimer = loop.schedule(this::checkIdle, idleLimitNanos(), TimeUnit.NANOSECONDS);
        }
        client.listen(inbound);
    }

    @Override
    public void write(ByteBuf data) {
        if (closeSent || closed) {
            data.release();
            return;
        }
        framer.write(data, client);
    }

    @Override
    public void flush() {
        client.flush();
    }

    @Override
    public boolean isWritable() {
        return client.isWritable();
    }

    @Override
    public void setReadable(boolean readable) {
        this.readable = readable;
        if (readable) {
            lastReadNanos = System.nanoTime(); // the client was paused, not idle
        }
        client.setReadable(readable);
    }

    /** The other side ended cleanly: CLOSE 1001, half-close, and wait a linger for the client's CLOSE. */
    @Override
    public void shutdownOutput() {
        if (closeSent || closed) {
            return;
        }
        framer.finish(client);
        sendClose(FrameEncoder.close(alloc, CloseStatus.GOING_AWAY, ""));
        client.shutdownOutput();
        lingerTimer = client.eventLoop().schedule(client::close, options.closeLingerMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * CLOSE 1000 and close. After {@link #shutdownOutput()} the closing handshake is already under way: the
     * linger (or the client's CLOSE) ends it, so that our CLOSE is not lost to a reset by unread client data.
     */
    @Override
    public void close() {
        if (lingerTimer != null) {
            delivering = false;
            return;
        }
        endWith(CloseStatus.NORMAL, "");
    }

    @Override
    public void closeAbnormally() {
        endWith(CloseStatus.INTERNAL_ERROR, "");
    }

    /** Sends CLOSE {@code code} (unless one went out already) and closes the connection once it is flushed. */
    private void endWith(int code, String reason) {
        delivering = false;
        if (closed) {
            return;
        }
        sendClose(FrameEncoder.close(alloc, code, reason));
        client.close();
    }

    private void sendClose(ByteBuf frame) {
        if (closeSent) {
            frame.release();
            return;
        }
        closeSent = true;
        client.write(frame);
        client.flush();
    }

    private void ping() {
        if (!closeSent && !closed && client.isWritable()) {
            client.write(FrameEncoder.control(alloc, Opcode.PING, Unpooled.wrappedBuffer(PING_PAYLOAD)));
            client.flush();
        }
    }

    /** Fires one second before the wrapped stream's own read-idle limit (never earlier than half of it). */
    private long idleLimitNanos() {
        long limit = TimeUnit.SECONDS.toNanos(options.maxReadIdleSeconds());
        return Math.max(limit - TimeUnit.SECONDS.toNanos(1), limit / 2);
    }

    private void checkIdle() {
        idleTimer = null;
        if (closed) {
            return;
        }
        long limit = idleLimitNanos();
        long idle = System.nanoTime() - lastReadNanos;
        if (readable && idle >= limit) {
            endWith(CloseStatus.GOING_AWAY, "idle");
            return;
        }
        long wait = readable ? limit - idle : limit;
        idleTimer = client.eventLoop().schedule(this::checkIdle, wait, TimeUnit.NANOSECONDS);
    }

    private void endOfInput() {
        if (!endOfInputSent) {
            endOfInputSent = true;
            listener.onEndOfInput();
        }
    }

    /** Decodes one read: tops up an incomplete header/control frame first, then decodes in place. */
    private void decode(ByteBuf data) {
        try {
            while (leftover != null && data.isReadable()) {
                int take = Math.min(data.readableBytes(), MAX_LEFTOVER - leftover.readableBytes());
                ByteBuf merged = alloc.buffer(leftover.readableBytes() + take);
                merged.writeBytes(leftover).writeBytes(data, take);
                leftover.release();
                leftover = merged;
                decoder.decode(merged, frames);
                if (!merged.isReadable()) {
                    merged.release();
                    leftover = null;
                }
            }
            if (data.isReadable()) {
                decoder.decode(data, frames);
                if (data.isReadable() && !decoder.hasFailed()) {
                    // Keep a copy of the small remainder, not the whole read buffer.
                    leftover = alloc.buffer(data.readableBytes()).writeBytes(data);
                }
            }
        } finally {
            data.release();
            if (closed || decoder.hasFailed()) {
                releaseLeftover();
            }
        }
    }

    private void releaseLeftover() {
        if (leftover != null) {
            leftover.release();
            leftover = null;
        }
    }

    /** Listens to the wrapped client stream. */
    private final class Inbound implements ByteStream.Listener {

        @Override
        public void onData(ByteBuf data) {
            lastReadNanos = System.nanoTime();
            decode(data);
        }

        @Override
        public void onReadComplete() {
            listener.onReadComplete();
        }

        @Override
        public void onEndOfInput() {
            // TCP FIN without a CLOSE frame, or the client's FIN after its CLOSE during our linger.
            if (closeSent) {
                client.close();
            }
            endOfInput();
        }

        @Override
        public void onWritabilityChanged(boolean writable) {
            listener.onWritabilityChanged(writable);
        }

        @Override
        public void onFailed(Throwable cause) {
            listener.onFailed(cause);
        }

        @Override
        public void onClosed() {
            if (closed) {
                return;
            }
            closed = true;
            delivering = false;
            for (ScheduledFuture<?> timer : new ScheduledFuture<?>[] {pingTimer, idleTimer, lingerTimer}) {
                if (timer != null) {
                    timer.cancel(false);
                }
            }
            releaseLeftover();
            listener.onClosed();
        }
    }

    /** Acts on what the frame decoder finds in the client's input. */
    private final class Frames implements FrameDecoder.Listener {

        @Override
        public void onDataFrameStart(int messageOpcode, boolean firstOfMessage, boolean fin, long length) { }

        @Override
        public void onData(ByteBuf payload) {
            if (delivering) {
                listener.onData(payload);
            } else {
                payload.release();
            }
        }

        @Override
        public void onDataFrameEnd(boolean endOfMessage) { }

        @Override
        public void onControlFrame(int opcode, ByteBuf payload) {
            switch (opcode) {
                case Opcode.PING -> {
                    if (closeSent || closed) {
                        payload.release();
                    } else {
                        client.write(FrameEncoder.control(alloc, Opcode.PONG, payload));
                        client.flush();
                    }
                }
                case Opcode.CLOSE -> {
                    // Echo the client's code only (its reason is for us); an empty CLOSE gets an empty CLOSE.
                    ByteBuf echo = payload.readableBytes() >= 2 ? payload.retainedSlice(payload.readerIndex(), 2)
                            : Unpooled.EMPTY_BUFFER;
                    payload.release();
                    sendClose(FrameEncoder.control(alloc, Opcode.CLOSE, echo));
                    delivering = false;
                    endOfInput();
                    client.close();
                }
                default -> payload.release(); // PONG: its arrival already counted as a read
            }
        }

        @Override
        public void onViolation(int closeCode, String reason) {
            endWith(closeCode, reason);
        }
    }
}
