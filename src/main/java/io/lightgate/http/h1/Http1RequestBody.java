package io.lightgate.http.h1;

import io.lightgate.http.RequestBody;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;

/**
 * The body of one HTTP/1.x request as its module sees it. One state machine: WAITING (up to {@link #READ_AHEAD}
 * bytes are read ahead and kept, the rest stays unread until the module listens or answers), LISTENING
 * (delivered, paused by {@link #setReadable}), DISCARDING (answered without listening: the connection reads
 * and drops the rest), DONE. The connection feeds it from the parser; everything runs on its event loop.
 */
final class Http1RequestBody implements RequestBody {

    private enum State { WAITING, LISTENING, DISCARDING, DONE }

    /**
     * Body bytes read before anyone listens: small bodies arrive whole (and a body over server.max-request-size
     * is refused early, as lighttpd does having read it), big ones wait in the client's socket.
     */
    static final int READ_AHEAD = 64 * 1024;

    private final Http1Connection connection;
    private final Http1Exchange exchange;
    private final long length;
    private State state;
    private Listener listener;
    private boolean readable = true;
    /** Why the body failed before anyone listened; told to a late {@link #listen}. */
    private Throwable failure;
    /** Made when the first bytes wait: most requests have no body. */
    private ArrayDeque<ByteBuf> readAhead;
    private long readAheadBytes;
    /** The body's end was read while WAITING. */
    private boolean endRead;

    Http1RequestBody(Http1Connection connection, Http1Exchange exchange, long length) {
        this.connection = connection;
        this.exchange = exchange;
        this.length = length;
        this.state = length > 0 || length == -2 ? State.WAITING : State.DONE;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public void listen(Listener listener) {
        EventLoop loop = connection.eventLoop();
        if (!loop.inEventLoop()) {
            loop.execute(() -> listen(listener));
            return;
        }
        if (this.listener != null) {
            throw new IllegalStateException("request body already has a listener");
        }
        this.listener = listener;
        switch (state) {
            case WAITING -> {
                state = State.LISTENING;
                // what was read ahead goes at once: it is in memory already, a pause applies to further reads
                ByteBuf b;
                while (state == State.LISTENING && readAhead != null && (b = readAhead.poll()) != null) {
                    readAheadBytes -= b.readableBytes();
                    data(b);
                }
                releaseReadAhead();
                if (state == State.LISTENING && endRead) {
                    end();
                } else if (state == State.LISTENING) {
                    connection.bodyResumed(exchange);
                }
            }
            case DISCARDING -> {
                state = State.DONE;
                notifyFailed(discarded());
            }
            case DONE -> {
                if (failure != null) {
                    notifyFailed(failure);
                } else {
                    notifyEnd(); // no body, or its end already passed
                }
            }
            case LISTENING -> { }
        }
    }

    @Override
    public void setReadable(boolean readable) {
        EventLoop loop = connection.eventLoop();
        if (!loop.inEventLoop()) {
            loop.execute(() -> setReadable(readable));
            return;
        }
        boolean resumed = readable && !this.readable;
        this.readable = readable;
        if (resumed && state == State.LISTENING) {
            connection.bodyResumed(exchange);
        }
    }

    // ---- fed by the connection ------------------------------------------------------------------

    /**
     * Whether body bytes must stay unread: nobody listens yet, no answer was sent and the read-ahead is full,
     * or the listener paused and the response is not complete (after it, the rest is read at full speed to
     * reach the next request).
     */
    boolean holds() {
        return state == State.WAITING && (readAheadBytes >= READ_AHEAD || endRead)
                || state == State.LISTENING && !readable && !exchange.responseWritten;
    }

    /**
     * The module answered (a streamed response: its last byte is written): without a listener the rest of the
     * body is read and dropped.
     */
    void answered() {
        if (state == State.WAITING) {
            releaseReadAhead();
            state = endRead ? State.DONE : State.DISCARDING;
            if (endRead) {
                failure = discarded();
            }
        }
    }

    /** Whether the module has received body bytes (a listener exists). */
    boolean listening() {
        return state == State.LISTENING;
    }

    void data(ByteBuf data) {
        if (state == State.WAITING) {
            readAheadBytes += data.readableBytes();
            if (readAhead == null) {
                readAhead = new ArrayDeque<>(4);
            }
            readAhead.add(data);
            return;
        }
        if (state != State.LISTENING) {
            data.release();
            return;
        }
        try {
            listener.onData(data);
        } catch (RuntimeException e) {
            exchange.errorLog().write("server", "request body listener failed: " + e);
            state = State.DONE;
        }
    }

    void end() {
        if (state == State.WAITING) {
            endRead = true;
            return;
        }
        State was = state;
        state = State.DONE;
        if (was == State.LISTENING) {
            notifyEnd();
        } else if (was == State.DISCARDING) {
            failure = discarded();
        }
    }

    void fail(Throwable cause) {
        State was = state;
        if (was == State.DONE) {
            return;
        }
        state = State.DONE;
        releaseReadAhead();
        if (was == State.LISTENING) {
            notifyFailed(cause);
        } else {
            failure = was == State.DISCARDING ? discarded() : cause;
        }
    }

    boolean done() {
        return state == State.DONE;
    }

    /** Drops what was read ahead (the connection closed, or nobody will listen). */
    void releaseReadAhead() {
        ByteBuf b;
        while (readAhead != null && (b = readAhead.poll()) != null) {
            b.release();
        }
        readAheadBytes = 0;
    }

    private static IllegalStateException discarded() {
        return new IllegalStateException("request body was discarded: the request was answered before listen");
    }

    private void notifyEnd() {
        try {
            listener.onEnd();
        } catch (RuntimeException e) {
            exchange.errorLog().write("server", "request body listener failed: " + e);
        }
    }

    private void notifyFailed(Throwable cause) {
        try {
            listener.onFailed(cause);
        } catch (RuntimeException e) {
            exchange.errorLog().write("server", "request body listener failed: " + e);
        }
    }
}
