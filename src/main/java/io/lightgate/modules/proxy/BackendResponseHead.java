package io.lightgate.modules.proxy;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * A backend's final response head as {@link BackendResponseParser} read it.
 *
 * @param http11         the status line said HTTP/1.1 (else HTTP/1.0)
 * @param status         100..999 as sent (1xx other than 101 are skipped before this)
 * @param headers        every field in order, names as sent
 * @param framing        how the body is delimited
 * @param contentLength  the body length for {@link Framing#LENGTH}, else -1
 * @param keepAlive      the backend may keep the connection after this response
 */
record BackendResponseHead(boolean http11, int status, HttpHeaders headers, Framing framing, long contentLength,
                           boolean keepAlive) {

    /** RFC 9112 §6.3, in that order. */
    enum Framing {
        /** HEAD, 1xx, 204, 304: no body. */
        NONE,
        /** 101: the connection becomes a tunnel after the head. */
        SWITCH,
        CHUNKED,
        LENGTH,
        /** Neither chunked nor Content-Length: the body ends when the backend closes. */
        UNTIL_CLOSE
    }
}
