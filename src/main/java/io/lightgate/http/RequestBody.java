package io.lightgate.http;

import io.netty.buffer.ByteBuf;

/**
 * A request body as it arrives from the client, de-chunked, pulled by the module that claimed the request
 * (mod_proxy, mod_cgi and the other gateways stream it to their backend). Every call and callback happens on
 * the exchange's event loop. {@code server.max-request-size} still applies.
 * <p>Until {@link #listen} the core reads ahead a little (HTTP/1: 64 KiB) and then stops reading from the
 * client; that time is not the client's read idleness. Listen before answering, or at the latest in
 * {@link BodyProducer#start} of a streamed response. A module that answers without listening lets the core
 * read and discard the body after the response, as for static files (a late listen then gets
 * {@link Listener#onFailed}). Once listening, delivery continues until {@link Listener#onEnd} or
 * {@link Listener#onFailed} even when the response is complete; after the response is complete
 * {@code setReadable(false)} no longer holds the body back (the connection must reach its next request), so a
 * listener that is done with the body just releases what it gets.
 * CONTRACT: the http work may add members; existing ones keep their meaning.
 */
public interface RequestBody {

    /** Receives the body; exactly one of {@link #onEnd} or {@link #onFailed} ends the delivery. */
    interface Listener {
        /** Body bytes (transfer coding removed); the listener owns {@code data} and must release it. */
        void onData(ByteBuf data);

        /** The last byte arrived (a chunked body's trailers are dropped). Called at once for a request without body. */
        void onEnd();

        /**
         * The body cannot complete: the client left or stalled past {@code server.max-read-idle}, the chunked
         * coding was malformed, or the body crossed {@code server.max-request-size} (the core answers 413 when no
         * response has started). No more callbacks follow.
         */
        void onFailed(Throwable cause);
    }

    /** The declared length: -1 for no body, -2 for chunked (unknown until the end), else Content-Length. */
    long length();

    /** Starts delivery (bytes already read first, at once); at most once per request. */
    void listen(Listener listener);

    /**
     * Stops or resumes reading the body from the client: back-pressure toward the client. A paused body is not
     * the client's read idleness. What was read ahead before {@link #listen} is delivered by it whatever the pause.
     */
    void setReadable(boolean readable);
}
