package io.lightgate.http;

import io.netty.buffer.ByteBuf;

/**
 * A request body as it arrives from the client, de-chunked, pulled by the module that claimed the request
 * (mod_proxy, mod_cgi and the other gateways stream it to their backend). Every call and callback happens on
 * the exchange's event loop. A module that never calls {@link #listen} lets the core read and discard the body
 * after the response, as it does for static files. {@code server.max-request-size} still applies.
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

    /** Starts delivery (bytes already read first); at most once per request. */
    void listen(Listener listener);

    /** Stops or resumes reading the body from the client: back-pressure toward the client. */
    void setReadable(boolean readable);
}
