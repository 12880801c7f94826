package io.lightgate.http.h1;

import io.lightgate.http.BodyProducer;
import io.lightgate.http.BodySink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;

/**
 * Writes one streamed response body ({@link io.lightgate.http.Response.Streamed}) after its head: framed by the
 * declared Content-Length, by chunked coding, or by closing the connection. One state machine: STREAMING until
 * the producer ends or aborts it or the connection cancels it; any later sink call is ignored (buffers released).
 */
final class Http1BodySink implements BodySink {

    /** How the body is delimited on the wire. */
    enum Framing { LENGTH, CHUNKED, CLOSE }

    /** What the connection hears from the sink. */
    interface Events {
        /** The last byte was written ({@code success}) or could not be; {@code wireBytes} is the body on the wire. */
        void streamWritten(Http1BodySink sink, boolean success, long wireBytes);

        /** The producer gave up (or broke the declared length): log {@code why} and close the connection. */
        void streamAborted(Http1BodySink sink, String why, long wireBytes);
    }

    private enum State { STREAMING, ENDED, ABORTED, CANCELLED }

    private static final ByteBuf CRLF =
            Unpooled.unreleasableBuffer(Unpooled.copiedBuffer("\r\n", StandardCharsets.ISO_8859_1));
    private static final ByteBuf LAST_CHUNK =
            Unpooled.unreleasableBuffer(Unpooled.copiedBuffer("0\r\n\r\n", StandardCharsets.ISO_8859_1));

    private final ChannelHandlerContext ctx;
    private final BodyProducer producer;
    private final long declaredLength;
    private final Framing framing;
    private final Events events;
    private State state = State.STREAMING;
    /** Body bytes the producer wrote (without chunk framing). */
    private long written;
    /** Bytes handed to the channel, framing included. */
    private long wireBytes;
    // write-idle: progress is what left the channel's outbound buffer since the last sweep
    private long lastSent;
    private long lastProgressNanos;

    Http1BodySink(ChannelHandlerContext ctx, BodyProducer producer, long declaredLength, Framing framing,
                  Events events) {
        this.ctx = ctx;
        this.producer = producer;
        this.declaredLength = declaredLength;
        this.framing = framing;
        this.events = events;
        this.lastProgressNanos = System.nanoTime();
    }

    /** Hands the sink to the producer; a producer that throws aborts the body. */
    void start() {
        try {
            producer.start(this);
        } catch (RuntimeException e) {
            abort("response body producer failed to start: " + e);
        }
    }

    /** The connection is gone: tells the producer once, unless the body was already ended or aborted. */
    void cancel() {
        if (state != State.STREAMING) {
            return;
        }
        state = State.CANCELLED;
        try {
            producer.cancel();
        } catch (RuntimeException e) {
            // the producer's own clean-up failed; the connection is closing anyway
        }
    }

    boolean streaming() {
        return state == State.STREAMING;
    }

    long wireBytes() {
        return wireBytes;
    }

    void writabilityChanged(boolean writable) {
        if (state == State.STREAMING) {
            producer.onWritabilityChanged(writable);
        }
    }

    /**
     * Whether queued body bytes have not moved for {@code limitNanos}: a slow producer (nothing queued) is
     * never the client's write idleness, a client that stopped reading is.
     */
    boolean stalled(long now, long limitNanos) {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        long pending = out == null ? 0 : out.totalPendingWriteBytes();
        long sent = wireBytes - pending;
        if (pending == 0 || sent > lastSent) {
            lastProgressNanos = now;
        }
        lastSent = sent;
        return now - lastProgressNanos > limitNanos;
    }

    // ---- BodySink ---------------------------------------------------------------------------------

    @Override
    public EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    @Override
    public void write(ByteBuf data) {
        if (!eventLoop().inEventLoop()) {
            eventLoop().execute(() -> write(data));
            return;
        }
        if (state != State.STREAMING) {
            data.release();
            return;
        }
        int n = data.readableBytes();
        if (n == 0) {
            data.release(); // an empty chunk would end a chunked body
            return;
        }
        if (declaredLength >= 0 && written + n > declaredLength) {
            data.release();
            // the producer does not know it broke the framing: it is stopped like for a client that left
            String why = "response body longer than its declared " + declaredLength + " bytes";
            cancel();
            events.streamAborted(this, why, wireBytes);
            return;
        }
        written += n;
        if (framing == Framing.CHUNKED) {
            ByteBuf size = ctx.alloc().buffer(18);
            ByteBufUtil.writeAscii(size, Integer.toHexString(n));
            size.writeShort(0x0d0a);
            wireBytes += size.readableBytes() + n + 2;
            ctx.write(size, ctx.voidPromise());
            ctx.write(data, ctx.voidPromise());
            ctx.write(CRLF.duplicate(), ctx.voidPromise());
        } else {
            wireBytes += n;
            ctx.write(data, ctx.voidPromise());
        }
    }

    @Override
    public void flush() {
        if (!eventLoop().inEventLoop()) {
            eventLoop().execute(this::flush);
            return;
        }
        if (state == State.STREAMING) {
            ctx.flush();
        }
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void end() {
        if (!eventLoop().inEventLoop()) {
            eventLoop().execute(this::end);
            return;
        }
        if (state != State.STREAMING) {
            return;
        }
        if (declaredLength >= 0 && written < declaredLength) {
            abort("response body ended after " + written + " of its declared " + declaredLength + " bytes");
            return;
        }
        state = State.ENDED;
        ByteBuf last = framing == Framing.CHUNKED ? LAST_CHUNK.duplicate() : Unpooled.EMPTY_BUFFER;
        wireBytes += last.readableBytes();
        long total = wireBytes;
        ctx.writeAndFlush(last).addListener((ChannelFutureListener) f ->
                events.streamWritten(this, f.isSuccess(), total));
    }

    @Override
    public void abort(String why) {
        if (!eventLoop().inEventLoop()) {
            eventLoop().execute(() -> abort(why));
            return;
        }
        if (state != State.STREAMING) {
            return;
        }
        state = State.ABORTED;
        events.streamAborted(this, why, wireBytes);
    }
}
