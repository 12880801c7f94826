package io.lightgate.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/**
 * Where a {@link BodyProducer} writes a streamed response body. The protocol layer frames it: Content-Length when
 * the length is known, chunked for HTTP/1.1 otherwise, close-delimited for HTTP/1.0 (and DATA frames in HTTP/2).
 * All calls must happen on {@link #eventLoop()}.
 * CONTRACT: the http work may add members; existing ones keep their meaning.
 */
public interface BodySink {
    EventLoop eventLoop();

    /**
     * Queues body bytes (ownership passes; empty buffers are dropped). Accepted even when not writable; the
     * producer should pause then. With a declared length, writing past it aborts the body and cancels the
     * producer. After end, abort or cancel, calls are ignored and buffers released.
     */
    void write(ByteBuf data);

    void flush();

    /** False while the client's outbound buffer is above its high-water mark. */
    boolean isWritable();

    /**
     * The body is complete: flushes and ends it (the last chunk when chunked). With a declared length, ending
     * before that many bytes were written is an {@link #abort}.
     */
    void end();

    /**
     * The body cannot be completed (the backend failed mid-response): the connection is closed without ending
     * the body, so the client never takes a truncated response for a complete one. {@code why} goes to the error log.
     */
    void abort(String why);
}
