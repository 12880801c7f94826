package io.lightgate.gateway;

import io.lightgate.http.BodyProducer;
import io.lightgate.http.BodySink;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * A streamed response body relayed from a backend to the client's {@link BodySink}, with back-pressure (backend
 * reads paused while the sink is not writable). Bytes that come before the sink exists are held (and backend
 * reads paused); an end or an abort that comes before it is applied when it starts; cancel lets the backend go.
 * Used by mod_proxy and the CGI family; everything runs on the exchange's event loop.
 */
public final class RelayedBody implements BodyProducer {

    /** What the relay needs from the request that owns it. */
    public interface Owner {
        /** Pauses (false) or resumes (true) reads from the backend. */
        void setBackendReadable(boolean readable);

        /** The backend is closed: there are no reads left to resume. */
        boolean backendClosed();

        /** The client will not take the whole body: the backend is to be closed. */
        void closeBackend();

        /** The client's body was ended or aborted, or cancelled before its end: nothing more is relayed. */
        void relayDone();
    }

    private final Owner owner;
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
    private BodySink sink;
    private boolean cancelled;
    private boolean complete;
    private boolean done;
    private String abortPending;

    public RelayedBody(Owner owner) {
        this.owner = owner;
    }

    /** Relays body bytes (ownership passes); dropped once the body is complete or cancelled. */
    public void write(ByteBuf data) {
        if (cancelled || complete || !data.isReadable()) {
            data.release();
            return;
        }
        if (sink == null) {
            held.add(data);
            owner.setBackendReadable(false); // nothing takes them yet
            return;
        }
        sink.write(data);
        sink.flush();
        if (!sink.isWritable()) {
            owner.setBackendReadable(false);
        }
    }

    /** The backend's body is complete: the client's ends now, or when it starts. Later calls do nothing. */
    public void end() {
        if (complete) {
            return;
        }
        complete = true;
        if (sink != null) {
            finish(null);
        }
    }

    /** The body cannot be completed: the client's is aborted now, or when it starts. */
    public void abort(String why) {
        if (sink != null) {
            finish(why);
        } else {
            abortPending = why;
        }
    }

    /** Whether {@link #end} was called. */
    public boolean complete() {
        return complete;
    }

    /** Whether the client cancelled the body. */
    public boolean cancelled() {
        return cancelled;
    }

    /** Releases bytes still held for a sink that has not started (the exchange was given up). */
    public void releaseHeld() {
        ByteBuf b;
        while ((b = held.poll()) != null) {
            b.release();
        }
    }

    @Override
    public void start(BodySink s) {
        if (cancelled) {
            return;
        }
        sink = s;
        ByteBuf b;
        while ((b = held.poll()) != null) {
            sink.write(b);
        }
        sink.flush();
        if (abortPending != null) {
            finish(abortPending);
        } else if (complete) {
            finish(null);
        } else if (sink.isWritable() && !owner.backendClosed()) {
            owner.setBackendReadable(true);
        }
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
        if (!done && !owner.backendClosed()) {
            owner.setBackendReadable(writable);
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
        releaseHeld();
        if (!complete) {
            done = true;
            owner.relayDone();
            owner.closeBackend();
        }
    }

    /** Ends ({@code why} null) or aborts the started sink. */
    private void finish(String why) {
        if (why == null) {
            sink.end();
        } else {
            sink.abort(why);
        }
        done = true;
        owner.relayDone();
    }
}
