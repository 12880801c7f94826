package io.lightgate.http.h1;

import io.lightgate.config.RequestConfig;
import io.lightgate.http.ByteStream;
import io.lightgate.http.GracefulShutdown;
import io.lightgate.server.ServerKeys;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The raw connection after a 101: bytes in both directions, no HTTP framing left in the pipeline (so no
 * LastHttpContent can slip in). Bytes that came with the upgrade request, and any that arrive before
 * {@link #listen}, are queued and delivered first. lighttpd's idle limits still apply (reference §1.5):
 * nothing from the client for {@code server.max-read-idle}, or a stuck write for
 * {@code server.max-write-idle}, closes it.
 */
final class Http1ByteStream extends ChannelInboundHandlerAdapter implements ByteStream, IdleSweeper.Watched {

    /** Reports the bytes moved once the stream is closed (for requestDone / the access log). */
    interface Done {
        void closed(long bytesIn, long bytesOut);
    }

    // rarely holds anything (bytes that came with the upgrade request): the smallest array, not the default 16
    private final ArrayDeque<ByteBuf> queued = new ArrayDeque<>(1);
    private final long readIdleNanos;
    private final long writeIdleNanos;
    private final Done done;
    private ChannelHandlerContext ctx;
    private Listener listener;
    private boolean inputEnded;
    private boolean closedNotified;
    private long bytesIn;
    private long bytesOut;
    private long lastReadNanos;
    private long lastWriteNanos;
    private long lastPendingBytes;

    Http1ByteStream(ByteBuf leftover, RequestConfig config, Done done) {
        if (leftover != null) {
            if (leftover.isReadable()) {
                bytesIn += leftover.readableBytes();
                queued.add(leftover);
            } else {
                leftover.release();
            }
        }
        this.readIdleNanos = TimeUnit.SECONDS.toNanos(config.get(ServerKeys.MAX_READ_IDLE));
        this.writeIdleNanos = TimeUnit.SECONDS.toNanos(config.get(ServerKeys.MAX_WRITE_IDLE));
        this.done = done;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        lastReadNanos = lastWriteNanos = System.nanoTime();
        IdleSweeper.add(ctx.channel().eventLoop(), this);
    }

    @Override
    public EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    @Override
    public void listen(Listener listener) {
        this.listener = listener;
        boolean delivered = !queued.isEmpty();
        while (!queued.isEmpty() && this.listener != null) {
            listener.onData(queued.poll());
        }
        if (delivered) {
            listener.onReadComplete();
        }
        if (inputEnded) {
            listener.onEndOfInput();
        }
        if (!ctx.channel().isActive()) {
            notifyClosed();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf data)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        lastReadNanos = System.nanoTime();
        bytesIn += data.readableBytes();
        if (listener == null) {
            queued.add(data);
        } else {
            listener.onData(data);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.onReadComplete();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent || evt == GracefulShutdown.INSTANCE) {
            if (!inputEnded) {
                inputEnded = true;
                if (listener != null) {
                    listener.onEndOfInput();
                }
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.onWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        notifyClosed();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        notifyClosed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void notifyClosed() {
        if (closedNotified) {
            return;
        }
        closedNotified = true;
        IdleSweeper.remove(ctx.channel().eventLoop(), this);
        ByteBuf b;
        while ((b = queued.poll()) != null) {
            b.release();
        }
        if (listener != null) {
            listener.onClosed();
        }
        done.closed(bytesIn, bytesOut);
    }

    @Override
    public void write(ByteBuf data) {
        bytesOut += data.readableBytes();
        // no promise or listener per write (this is every WebSocket frame): checkIdle sees progress instead
        ctx.write(data, ctx.voidPromise());
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void setReadable(boolean readable) {
        ctx.channel().config().setAutoRead(readable);
        if (readable) {
            // the client was paused, not idle
            lastReadNanos = System.nanoTime();
        }
    }

    @Override
    public void shutdownOutput() {
        if (ctx.channel() instanceof DuplexChannel duplex) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> duplex.shutdownOutput());
        } else {
            close();
        }
    }

    @Override
    public void close() {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Write progress, seen from the once-a-second sweep rather than from a listener on every write: the bytes
     * queued in the channel fell (a buffer was written out) or none are left. A stuck client leaves them as they
     * are or growing.
     */
    private void notePendingWrites(long now) {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        long pending = out == null ? 0 : out.totalPendingWriteBytes();
        if (pending == 0 || pending < lastPendingBytes) {
            lastWriteNanos = now;
        }
        lastPendingBytes = pending;
    }

    @Override
    public void checkIdle(long now) {
        notePendingWrites(now);
        boolean paused = !ctx.channel().config().isAutoRead();
        if (!paused && now - lastReadNanos > readIdleNanos) {
            ctx.close();
        } else if (!ctx.channel().isWritable() && now - lastWriteNanos > writeIdleNanos) {
            ctx.close();
        }
    }
}
