package io.lightgate.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/**
 * The client side of a connection after an upgrade: a duplex byte stream, the same whether it came over
 * HTTP/1.1 (the raw channel after 101) or, later, HTTP/2 (one stream's DATA frames). The tunnel and
 * mod_wstunnel work only with this. All calls happen on {@link #eventLoop()}.
 * CONTRACT: the http work may add members; existing ones keep their meaning.
 */
public interface ByteStream {

    /** Receives what the client sends; every callback runs on the stream's event loop. */
    interface Listener {
        /** Bytes from the client; the listener owns {@code data} and must release it. */
        void onData(ByteBuf data);

        /**
         * The {@link #onData} calls of one read round are over (also after the bytes queued before
         * {@link ByteStream#listen} were delivered): the place to flush what they wrote, so that one write
         * syscall carries all of them.
         */
        default void onReadComplete() { }
        /** The client half-closed (TCP FIN / END_STREAM): no more data will come. */
        void onEndOfInput();
        /** {@link #isWritable()} changed: resume or pause the side that feeds this stream. */
        void onWritabilityChanged(boolean writable);
        /**
         * The stream broke (I/O error, reset, a timeout) rather than ending cleanly; {@link #onClosed} follows.
         * A tunnel uses it to end the other side abnormally ({@link ByteStream#closeAbnormally}).
         */
        default void onFailed(Throwable cause) { }

        /** The stream is gone (closed by either side or by an error); release everything. */
        void onClosed();
    }

    EventLoop eventLoop();

    /** Installs the listener; bytes that arrived with the upgrade request are delivered first. */
    void listen(Listener listener);

    /** Queues bytes to the client (ownership passes); call {@link #flush()} to send. */
    void write(ByteBuf data);

    void flush();

    /** False while the outbound buffer is above its high-water mark: stop feeding it. */
    boolean isWritable();

    /** Stops or resumes reading from the client (back-pressure toward the client). */
    void setReadable(boolean readable);

    /** Half-close: no more bytes to the client (TCP shutdown(SHUT_WR) / END_STREAM). */
    void shutdownOutput();

    /** Closes the stream (and the HTTP/1.1 connection) after the queued bytes are flushed. */
    void close();

    /**
     * The other side of a tunnel failed: end this stream now. A plain stream just closes; a WebSocket stream
     * first sends CLOSE 1011 (internal error), where a clean end of the other side gives 1001.
     */
    default void closeAbnormally() { close(); }
}
