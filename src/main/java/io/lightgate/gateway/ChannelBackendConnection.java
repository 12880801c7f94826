package io.lightgate.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A backend connection over a Netty socket channel (TCP or unix), the last handler of its pipeline. The
 * channel is opened with autoRead off, so nothing is read before {@link #listen}; after that reading follows
 * {@link #setReadable}. Writes are bounded by the channel's write-buffer water mark ({@link #isWritable}).
 * The host's read-timeout (nothing received while reading) and write-timeout (a write not finishing) are
 * checked once a second when set, and end the connection with a {@link BackendTimeoutException}.
 * Lives on one event loop; every method runs there.
 */
final class ChannelBackendConnection extends ChannelInboundHandlerAdapter implements BackendConnection {
    /** How long {@link #close()} waits for queued bytes to reach a backend that does not read. */
    static final long CLOSE_LINGER_SECONDS = 10;

    private final BackendProc proc;
    private final long readTimeoutNanos;
    private final long writeTimeoutNanos;
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>();
    private Channel channel;
    private Listener listener;
    private boolean readable = true;
    private boolean inputEnded;
    private boolean outputShut;
    private boolean closing;
    private boolean closedNotified;
    private Throwable failure;
    private boolean failureNotified;
    private long bytesIn;
    private long bytesOut;
    private long lastReadNanos;
    private long writeStartNanos;
    private int pendingWrites;
    private ScheduledFuture<?> timeoutCheck;
    private boolean reused;

    ChannelBackendConnection(BackendProc proc) {
        this.proc = proc;
        HostConfig host = proc.host().config();
        this.readTimeoutNanos = TimeUnit.SECONDS.toNanos(host.readTimeout());
        this.writeTimeoutNanos = TimeUnit.SECONDS.toNanos(host.writeTimeout());
    }

    BackendProc proc() { return proc; }

    @Override
    public boolean reused() { return reused; }

    void markReused() { reused = true; }

    /** Open, not half-closed by either side, not closing: fit to carry another request. */
    boolean reusable() {
        return channel.isOpen() && !inputEnded && !outputShut && !closing && failure == null;
    }

    Channel channel() { return channel; }

    @Override
    public HostConfig host() {
        return proc.host().config();
    }

    @Override
    public long bytesIn() { return bytesIn; }

    @Override
    public long bytesOut() { return bytesOut; }

    @Override
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        lastReadNanos = System.nanoTime();
        if (readTimeoutNanos > 0 || writeTimeoutNanos > 0) {
            timeoutCheck = ctx.executor().scheduleAtFixedRate(this::checkTimeouts, 1, 1, TimeUnit.SECONDS);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void listen(Listener l) {
        this.listener = l;
        ByteBuf b;
        while ((b = early.poll()) != null && listener != null) {
            l.onData(b);
        }
        if (failure != null && !failureNotified) {
            failureNotified = true;
            l.onFailed(failure);
        }
        if (inputEnded) {
            l.onEndOfInput();
        }
        if (!channel.isOpen()) {
            notifyClosed();
        } else if (readable) {
            lastReadNanos = System.nanoTime();
            channel.config().setAutoRead(true);
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
            early.add(data);
        } else {
            listener.onData(data);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (!inputEnded) {
                inputEnded = true;
                if (listener != null) {
                    listener.onEndOfInput();
                }
                if (outputShut) {
                    ctx.close();
                }
            }
        } else {
            ReferenceCountUtil.release(evt);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (listener != null) {
            listener.onWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause);
    }

    private void fail(Throwable cause) {
        if (failure == null && !closedNotified) {
            failure = cause;
            if (listener != null) {
                failureNotified = true;
                listener.onFailed(cause);
            }
        }
        channel.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        notifyClosed();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        notifyClosed();
    }

    private void notifyClosed() {
        if (closedNotified || listener == null && channel.isOpen()) {
            return;
        }
        if (listener == null) {
            // closed before anyone listened: listen() reports it; drop what came early now
            releaseEarly();
            return;
        }
        closedNotified = true;
        if (timeoutCheck != null) {
            timeoutCheck.cancel(false);
        }
        releaseEarly();
        listener.onClosed();
    }

    private void releaseEarly() {
        ByteBuf b;
        while ((b = early.poll()) != null) {
            b.release();
        }
    }

    @Override
    public void write(ByteBuf data) {
        if (closedNotified || closing || outputShut) {
            data.release();
            return;
        }
        bytesOut += data.readableBytes();
        if (writeTimeoutNanos > 0) {
            if (pendingWrites++ == 0) {
                writeStartNanos = System.nanoTime();
            }
            channel.write(data).addListener(f -> {
                pendingWrites--;
                writeStartNanos = System.nanoTime();
                if (!f.isSuccess() && channel.isOpen()) {
                    fail(f.cause());
                }
            });
        } else {
            channel.write(data, channel.voidPromise());
        }
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void setReadable(boolean readable) {
        this.readable = readable;
        if (listener != null && channel.isOpen()) {
            if (readable && !channel.config().isAutoRead()) {
                // the backend was paused by us, not idle
                lastReadNanos = System.nanoTime();
            }
            channel.config().setAutoRead(readable);
        }
    }

    @Override
    public void shutdownOutput() {
        if (outputShut || closing || !channel.isOpen()) {
            return;
        }
        outputShut = true;
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (!channel.isOpen()) {
                return;
            }
            if (channel instanceof DuplexChannel duplex) {
                duplex.shutdownOutput().addListener(s -> {
                    if (inputEnded || !s.isSuccess()) {
                        channel.close();
                    }
                });
            } else {
                channel.close();
            }
        });
    }

    @Override
    public void close() {
        if (closing || !channel.isOpen()) {
            return;
        }
        closing = true;
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        // a backend that never reads must not keep the fd forever
        ScheduledFuture<?> linger = channel.eventLoop().schedule(() -> {
            channel.close();
        }, CLOSE_LINGER_SECONDS, TimeUnit.SECONDS);
        channel.closeFuture().addListener(f -> linger.cancel(false));
    }

    @Override
    public void closeAbnormally() {
        closing = true;
        channel.close();
    }

    private void checkTimeouts() {
        if (!channel.isOpen()) {
            return;
        }
        long now = System.nanoTime();
        if (readTimeoutNanos > 0 && listener != null && channel.config().isAutoRead()
                && now - lastReadNanos > readTimeoutNanos) {
            fail(new BackendTimeoutException(BackendTimeoutException.Kind.READ,
                    "read-timeout: nothing from " + proc + " for " + host().readTimeout() + " s"));
        } else if (writeTimeoutNanos > 0 && pendingWrites > 0 && now - writeStartNanos > writeTimeoutNanos) {
            fail(new BackendTimeoutException(BackendTimeoutException.Kind.WRITE,
                    "write-timeout: " + proc + " took no bytes for " + host().writeTimeout() + " s"));
        }
    }

    @Override
    public String toString() {
        return "backend " + proc;
    }
}
